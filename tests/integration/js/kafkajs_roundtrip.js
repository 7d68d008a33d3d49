// kafkajs (a third Kafka client implementation): produce with headers, then consume in a group.
// Usage: node kafkajs_roundtrip.js <bootstrap> <topic> <count>; prints {"received": [...]} as JSON.
const { Kafka, logLevel } = require("kafkajs");

async function main() {
  const [bootstrap, topic, countText] = process.argv.slice(2);
  const count = Number(countText);
  const kafka = new Kafka({ clientId: "kafkajs-test", brokers: [bootstrap], logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => {});
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const messages = [];
  for (let i = 0; i < count; i++) messages.push({ key: `k${i % 5}`, value: `${i}`, headers: { n: `${i}` } });
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: "kafkajs-group", sessionTimeout: 10000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = [];
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push({ value: message.value.toString(), header: message.headers.n.toString() });
          if (received.length >= count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  console.log(JSON.stringify({ received }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
