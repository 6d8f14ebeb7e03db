// The official openai Node package against prompt-dlp gateway; prints one JSON line of results.
// Usage: GATEWAY_URL=http://127.0.0.1:8090 GATEWAY_KEY=pdlp-... BLOCKED_TEXT=... node client.mjs
import OpenAI from "openai";

const client = new OpenAI({
  baseURL: `${process.env.GATEWAY_URL}/v1`,
  apiKey: process.env.GATEWAY_KEY,
  maxRetries: 0,
});
const messages = (content) => [{ role: "user", content }];
const out = {};

const plain = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: messages("[[echo]] node plain request"),
});
out.plain = plain.choices[0].message.content;

const stream = await client.chat.completions.create({
  model: "gpt-4o-mini",
  messages: messages("[[echo]] node streamed request"),
  stream: true,
});
let text = "";
let chunks = 0;
for await (const chunk of stream) {
  chunks += 1;
  text += chunk.choices[0]?.delta?.content ?? "";
}
out.stream = { text, chunks };

try {
  await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: messages(process.env.BLOCKED_TEXT),
  });
  out.blocked = null;
} catch (err) {
  out.blocked = { status: err.status, code: err.code, message: err.message };
}
console.log(JSON.stringify(out));
