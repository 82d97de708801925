"""A journey's steps drawn as server-side SVG: one box per step, top to bottom, the default
path as straight arrows, jumps and branches as labelled arcs on the right."""

from html import escape

from . import steps as step_kinds

BOX_W, BOX_H, GAP, LEFT = 380, 44, 26, 20


def svg(steps: list[dict], counts: dict[str, int] | None = None) -> str:
    counts = counts or {}
    index = {s["id"]: i for i, s in enumerate(steps)}
    height = len(steps) * (BOX_H + GAP) + 20
    width = LEFT + BOX_W + 40 + 30 * max(1, len(steps))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="pv-journey-diagram" '
        f'viewBox="0 0 {width} {height}" width="100%" data-testid="journey-diagram">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#3a3a8c"/></marker></defs>',
    ]
    lane = 0
    for i, step in enumerate(steps):
        kind = step_kinds.KINDS[step["kind"]]
        y = 10 + i * (BOX_H + GAP)
        label = f"{step['id']} · {kind.summary(step)}"
        if len(label) > 58:
            label = label[:57] + "…"
        fill = {
            "send": "#e3e3fd",
            "wait": "#fef4f2",
            "split": "#fff6e5",
            "engagement": "#fff6e5",
            "exit": "#dffee6",
        }.get(step["kind"], "#f6f6f6")
        parts.append(
            f'<g data-step="{escape(step["id"])}"><rect x="{LEFT}" y="{y}" width="{BOX_W}" '
            f'height="{BOX_H}" rx="6" fill="{fill}" stroke="#3a3a8c"/>'
            f'<text x="{LEFT + 10}" y="{y + 27}" font-size="13">{escape(label)}</text>'
        )
        if step["id"] in counts:
            parts.append(
                f'<text x="{LEFT + BOX_W - 10}" y="{y + 27}" font-size="13" '
                f'text-anchor="end" font-weight="bold">{counts[step["id"]]}</text>'
            )
        parts.append("</g>")
        targets = list(kind.targets(step))
        following = step.get("next") or (steps[i + 1]["id"] if i + 1 < len(steps) else None)
        ends_here = step["kind"] == "exit"
        if following and not ends_here:
            if index.get(following) == i + 1 and step["kind"] not in ("split", "engagement"):
                x = LEFT + BOX_W / 2
                parts.append(
                    f'<line x1="{x}" y1="{y + BOX_H}" x2="{x}" y2="{y + BOX_H + GAP}" '
                    'stroke="#3a3a8c" marker-end="url(#arrow)"/>'
                )
            else:
                targets.append(("", following))
        for label, target in targets:
            if target not in index:
                continue
            lane += 1
            x_out = LEFT + BOX_W
            x_lane = x_out + 15 + 22 * lane
            y_from = y + BOX_H / 2
            y_to = 10 + index[target] * (BOX_H + GAP) + BOX_H / 2
            parts.append(
                f'<path d="M{x_out},{y_from} H{x_lane} V{y_to} H{x_out + 2}" fill="none" '
                'stroke="#3a3a8c" marker-end="url(#arrow)"/>'
            )
            if label:
                parts.append(
                    f'<text x="{x_lane + 3}" y="{(y_from + y_to) / 2}" '
                    f'font-size="11">{escape(str(label))}</text>'
                )
    parts.append("</svg>")
    return "".join(parts)
