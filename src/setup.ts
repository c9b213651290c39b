// Side effects every entry point needs before any tensor work: the active backend and the
// Tensor methods. Each public entry (flint, flint/nn, flint/optim, flint/utils/data,
// flint/vision) imports this first, so any one of them can be used alone.
import "./backend/select.js";
import "./tensor-methods.js";
import "./tensor-methods-device.js";
import "./tensor-methods-ext.js";
import "./tensor-methods-inplace.js";
import "./tensor-surface.js";
