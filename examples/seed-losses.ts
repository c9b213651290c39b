// The seed's first snippet: L1 and MSE losses of a tiny tensor, printed as PyTorch prints them.
//   run: node --import tsx examples/seed-losses.ts
import * as torch from "../src/index.js";
import { nn } from "../src/index.js";
import { exampleArgs } from "./example-args.js";

exampleArgs("npm run example:losses", {}); // takes no flags but --help

const input = torch.reshape(torch.tensor([1, 2, 3], { dtype: torch.float32 }), [1, 1, 1, 3]);
const target = torch.reshape(torch.tensor([1, 2, 5], { dtype: torch.float32 }), [1, 1, 1, 3]);

const loss1 = new nn.L1Loss();
console.log(`L1损失: ${loss1(input, target).item()}`);

const loss2 = new nn.MSELoss();
console.log(`MSE损失: ${loss2(input, target).item()}`);
