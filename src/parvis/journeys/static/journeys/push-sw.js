/* Parvis web push service worker: shows the town hall's notifications and opens the
   portal when one is clicked. The payload is {"title": ..., "body": ...} (journeys/push.py). */
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || self.location.hostname, {
      body: data.body || "",
      data: { url: data.url || "/portal/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url || "/portal/"));
});
