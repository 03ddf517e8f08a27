// Compile-time proof that the browser entry exports what the Node entry does, with the same
// types: every value export but the async twins (README "Async calls": worker threads), and
// nothing else but init and isReady; ggml without its async pair. `npx tsc` fails on any
// difference; nothing runs here.
import type * as Node from '../index.js';
import type * as Browser from './index.mjs';

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type NodeOnly = `${string}Async` | 'AbortError' | 'asyncStats';
type BrowserOnly = 'init' | 'isReady';
type Shared = Exclude<keyof typeof Node, NodeOnly>;
// Plain properties: a CommonJS module's namespace and an ES module's differ only in readonly.
type Plain<M> = { -readonly [K in keyof M]: M[K] };
type Common<M> = Plain<Omit<Pick<M, Shared & keyof M>, 'ggml' | 'default'>>;
type CommonDefault<D> = Plain<Omit<D, NodeOnly | BrowserOnly | 'ggml'>>;

export const names: Same<Shared, Exclude<keyof typeof Browser, BrowserOnly>> = true;
export const values: Same<Common<typeof Node>, Common<typeof Browser>> = true;
export const ggml: Same<Node.Ggml, typeof Browser.ggml> = true;
// A CommonJS module's `default`, seen from ESM, is its module.exports: its own default is one level down.
export const defaults: Same<CommonDefault<typeof Node.default.default>, CommonDefault<typeof Browser.default>> = true;
export const defaultGgml: Same<Node.Ggml, typeof Browser.default.ggml> = true;
