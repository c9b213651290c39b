// One rank of the TCPStore test: rank 0 serves, rank 1 is a client; they meet through keys.
import { distributed as dist } from "../../src/index.js";

const rank = Number(process.env.RANK);
const port = Number(process.env.MASTER_PORT);
const store = new dist.TCPStore("127.0.0.1", port, 2, rank === 0, { timeout: 20_000 });
let ok = 0;
const check = (c: boolean, what: string): void => {
  if (!c) throw new Error(`rank ${rank}: ${what}`);
  ok++;
};
const text = (b: Uint8Array): string => Buffer.from(b).toString();
if (rank === 0) {
  store.set("greeting", "hello");
  check(store.add("counter", 5) >= 5, "add");
  store.wait(["from1"]);
  check(text(store.get("from1")) === "world", "get from1");
  check(store.check(["greeting", "from1"]), "check both");
  check(!store.check(["missing"]), "check missing");
  check(text(store.compareSet("cas", "", "first")) === "first", "compareSet on a missing key");
  check(text(store.compareSet("cas", "wrong", "second")) === "first", "compareSet with a wrong expectation");
  check(store.deleteKey("cas") && !store.deleteKey("cas"), "deleteKey");
  let timedOut = false;
  try {
    store.wait(["never"], 300);
  } catch (e) {
    timedOut = /timed out after 300 ms/.test((e as Error).message);
  }
  check(timedOut, "wait timeout");
  const p = new dist.PrefixStore("pre", store);
  p.set("k", "v");
  check(text(store.get("pre/k")) === "v", "prefix store");
  store.set("done0", "1");
  store.wait(["done1"]);
} else {
  check(text(store.get("greeting")) === "hello", "get greeting");
  check(store.add("counter", 2) >= 2, "add from 1");
  store.set("from1", "world");
  store.wait(["done0"]);
  check(store.add("counter", 0) === 7, "counter sum");
  check(store.numKeys() >= 4, "numKeys");
  store.set("done1", "1");
}
console.log(JSON.stringify({ rank, ok }));
