// Errors of torch.distributed: a failed rendezvous, a collective that timed out or lost a peer.
import { FlintError } from "../errors.js";

/** PyTorch raises RuntimeError (DistBackendError in later versions) for these. */
export class DistributedError extends FlintError {}
