// Idempotent MongoDB set-up, run with mongosh as the root user (docker compose `mongo-init`, Kubernetes Job
// `mongo-init`):
//   1. initiate the replica set when it is not initiated yet (members from MONGO_RS_MEMBERS),
//   2. wait until this member is a writable primary,
//   3. create or update the application user with readWrite on the services' own databases only.
// Environment: MONGO_RS_NAME (rs0), MONGO_RS_MEMBERS (host:port,host:port,...), MONGO_APP_USERNAME,
// MONGO_APP_PASSWORD, MONGO_APP_DATABASES (intake,advisory,notify,reporting).
const rsName = process.env.MONGO_RS_NAME || "rs0";
const members = (process.env.MONGO_RS_MEMBERS || "mongo:27017").split(",").map((h) => h.trim()).filter(Boolean);
const appUser = process.env.MONGO_APP_USERNAME;
const appPassword = process.env.MONGO_APP_PASSWORD;
const databases = (process.env.MONGO_APP_DATABASES || "intake,advisory,notify,reporting").split(",");

if (!appUser || !appPassword) {
  print("MONGO_APP_USERNAME and MONGO_APP_PASSWORD must be set");
  quit(2);
}

let initiated = true;
try {
  rs.status();
} catch (err) {
  if (err.codeName !== "NotYetInitialized") throw err;
  initiated = false;
}
if (!initiated) {
  const config = {
    _id: rsName,
    members: members.map((host, i) => ({ _id: i, host: host, priority: i === 0 ? 2 : 1 })),
  };
  printjson(rs.initiate(config));
}

let primary = false;
for (let i = 0; i < 180 && !primary; i++) {
  primary = db.hello().isWritablePrimary === true;
  if (!primary) sleep(1000);
}
if (!primary) {
  print("no writable primary after 180 s; is this member the primary? rs.status():");
  printjson(rs.status());
  quit(1);
}

const admin = db.getSiblingDB("admin");
const roles = databases.map((name) => ({ role: "readWrite", db: name.trim() }));
if (admin.getUser(appUser)) {
  admin.updateUser(appUser, { pwd: appPassword, roles: roles });
  print(`updated user ${appUser}`);
} else {
  admin.createUser({ user: appUser, pwd: appPassword, roles: roles });
  print(`created user ${appUser}`);
}
print(`replica set ${rsName} ready with ${rs.conf().members.length} member(s)`);
