/* The portal's "receive notifications in this browser" button: registers the service
   worker, subscribes with the town's VAPID public key and posts the subscription (which
   records the push consent) to the endpoint in data-endpoint. Messages come translated in
   data-* attributes. */
(function () {
  const box = document.querySelector("[data-push-subscribe]");
  if (!box) return;
  const button = box.querySelector("button");
  const status = box.querySelector("[data-push-status]");
  const say = (key) => { status.textContent = box.dataset[key] || ""; };
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    button.disabled = true;
    say("unsupported");
    return;
  }
  const decode = (base64url) => {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say("denied"); return; }
      const registration = await navigator.serviceWorker.register(box.dataset.worker, {
        scope: box.dataset.scope,
      });
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: decode(box.dataset.key),
      });
      const response = await fetch(box.dataset.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf },
        body: JSON.stringify({ subscription: subscription.toJSON() }),
      });
      say(response.ok ? "done" : "failed");
    } catch (error) {
      say("failed");
    } finally {
      button.disabled = false;
    }
  });
})();
