// MQTT.js (a second MQTT client implementation): connect with username/password, publish one message and wait for
// its acknowledgement (the PUBACK for QoS 1).
// Usage: node mqtt_publish.js <url> <username> <password> <topic> <payload> <qos>
// Prints one JSON line: {"connack": <code>, "puback": true, "messageId": <id>} on success (exit 0), or
// {"error": "<message>", "error_code": <CONNACK code or null>} when the connection failed (exit 2).
const mqtt = require("mqtt");

const [url, username, password, topic, payload, qosText] = process.argv.slice(2);
const qos = Number(qosText);
let done = false;

function finish(result, code) {
  if (done) return;
  done = true;
  console.log(JSON.stringify(result));
  client.end(true, () => process.exit(code));
  setTimeout(() => process.exit(code), 5000).unref();
}

const client = mqtt.connect(url, {
  username,
  password,
  protocolVersion: 4,
  clientId: `mqttjs-${process.pid}`,
  clean: true,
  reconnectPeriod: 0,
  connectTimeout: 30000,
});

client.on("connect", (connack) => {
  client.publish(topic, payload, { qos }, (err, packet) => {
    if (err) return finish({ error: err.message, error_code: null }, 2);
    finish({ connack: connack.returnCode, puback: true, messageId: packet ? packet.messageId : null }, 0);
  });
});
client.on("error", (err) => finish({ error: err.message, error_code: err.code === undefined ? null : err.code }, 2));
client.on("close", () => finish({ error: "connection closed", error_code: null }, 2));
