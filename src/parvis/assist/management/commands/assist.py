"""`parvis assist …`: setup, train, evaluate, import-kb, search-eval, build-corpus."""

import json as jsonlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "AI assist: train and evaluate triage, import and evaluate the knowledge base."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        setup = sub.add_parser("setup", help="Cold-start model, town articles, fact sheets")
        setup.add_argument("--demo", action="store_true", help="Also create the demo services")
        setup.add_argument("--triage-open", action="store_true", help="Triage untriaged cases")
        train = sub.add_parser("train", help="Retrain triage on shipped examples + closed cases")
        train.add_argument("--kind", default=None, help="logreg, linearsvc or sgd")
        evaluate = sub.add_parser("evaluate", help="Per-class scores on a labelled CSV")
        evaluate.add_argument("test_csv")
        evaluate.add_argument("--train", dest="train_csv", default=None)
        evaluate.add_argument("--kind", default=None)
        evaluate.add_argument("--json", action="store_true")
        import_kb = sub.add_parser("import-kb", help="Import or update articles (JSON lines)")
        import_kb.add_argument("file")
        search_eval = sub.add_parser("search-eval", help="Top-1/top-3 on question,article_id")
        search_eval.add_argument("questions_csv")
        search_eval.add_argument("--json", action="store_true")
        corpus_cmd = sub.add_parser("build-corpus", help="Write the shipped triage CSVs again")
        corpus_cmd.add_argument("--count", type=int, default=2500)
        corpus_cmd.add_argument("--seed", type=int, default=4)

    def handle(self, action, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_setup(self, demo, triage_open, **options):
        from parvis.assist import services, setup

        report = setup.setup(demo=demo)
        if triage_open:
            report["triaged"] = services.triage_untriaged()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in report.items()))

    def do_train(self, kind, **options):
        from parvis.assist import triage, versions

        version = versions.retrain(kind=kind or triage.DEFAULT_KIND)
        state = "active" if version.is_active else "kept inactive (measured worse)"
        self.stdout.write(
            f"model={version.label} macro_f1={version.metrics.get('macro_f1')} "
            f"examples={version.training_size} seconds={version.train_seconds} {state}"
        )

    def do_evaluate(self, test_csv, train_csv, kind, json, **options):
        from parvis.assist import triage, versions

        test = self._read(test_csv)
        if train_csv:
            current = versions.active_triage()
            default_kind = versions.load(current).kind if current else triage.DEFAULT_KIND
            model, _metrics = versions.train(self._read(train_csv), kind=kind or default_kind)
        else:
            model = versions.load(versions.ensure_cold_start())
        result = triage.evaluate(model, [e.text for e in test], [e.label for e in test])
        result["model_kind"] = model.kind
        if json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(triage.format_report(result))

    def _read(self, path):
        from parvis.assist import corpus

        if not Path(path).exists():
            raise CommandError(f"{path}: no such file")
        try:
            rows = corpus.read_csv(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        if not rows:
            raise CommandError(f"{path}: no labelled row")
        return rows

    def do_import_kb(self, file, **options):
        from parvis.assist import kb

        if not Path(file).exists():
            raise CommandError(f"{file}: no such file")
        report = kb.import_jsonl(file)
        for error in report.errors[:20]:
            self.stderr.write(error)
        self.stdout.write(str(report))

    def do_search_eval(self, questions_csv, json, **options):
        from parvis.assist import evaluation

        if not Path(questions_csv).exists():
            raise CommandError(f"{questions_csv}: no such file")
        try:
            result = evaluation.search_eval(questions_csv)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(jsonlib.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"questions={result['n']} top1={result['top1']:.3f} top3={result['top3']:.3f} "
                f"unknown_articles={result['unknown_articles']}"
            )
            for miss in result["misses"][:20]:
                self.stdout.write(
                    f"  miss: {miss['question']} → {miss['expected']} "
                    f"(got {', '.join(miss['got'])})"
                )

    def do_build_corpus(self, count, seed, **options):
        from parvis.assist import corpus

        train, test = corpus.generate(count=count, seed=seed)
        corpus.write_csv(corpus.TRAIN_CSV, train)
        corpus.write_csv(corpus.TEST_CSV, test)
        self.stdout.write(f"train={len(train)} test={len(test)}")
