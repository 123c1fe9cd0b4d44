"""The pages, one router per resource: for staff the delivery log, the template preview and fan-out progress;
for everyone the signed preference page and RFC 8058 one-click unsubscribe."""
