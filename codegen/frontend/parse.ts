// The frontend: reads a *.kernel.ts file with ts-morph (syntax only; the kernel is never run) and builds
// the typed IR of each `export const X = kernel(spec, body)` in it. Every rule of the DSL that is about
// what the source says — types, conversions, known intrinsics, where things may be declared — is checked
// here and reported at the kernel's line with a fix (KernelError). Rules about the whole kernel
// (uniform control flow, shared-memory budget) are in ../ir/verify.ts. The language: ../dsl/README.md.
import { relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { Node, Project, SyntaxKind, type Expression, type FunctionDeclaration, type SourceFile, type Statement } from "ts-morph";
import { layoutOf, type BlockField } from "../../engine/quant/layouts.js";
import { typeInfoByName } from "../../engine/quant/types.js";
import { KernelError } from "../ir/diagnostic.js";
import type {
  AssignOp, Axis, BinOp, BufferBinding, BuiltinName, ByteLoad, Expr, Intrinsic, KernelIR, Loc, Scalar, SharedDecl, Stmt,
  TableDecl, UniformDecl,
} from "../ir/types.js";
import { verifyKernel } from "../ir/verify.js";

const BUILTINS: readonly BuiltinName[] = ["globalId", "localId", "workgroupId", "workgroupSize", "numWorkgroups"];
const F32_MATH: readonly string[] = ["exp", "log", "sqrt", "rsqrt", "tanh", "sin", "cos", "floor", "exp2", "log2", "ceil", "trunc"];
const KNOWN_CALLS = [
  ...F32_MATH, "fma", "pow", "abs", "max", "min", "clamp", "select", "idiv", "f32", "i32", "u32",
  "bitcastF32", "bitcastU32", "unpackF16",
  "workgroupSum", "workgroupMax", "barrier", "shared",
];
/** DSL intrinsics with one fixed signature: argument type -> result type. */
const FIXED: Readonly<Record<string, { arg: Scalar; result: Scalar; fn: Intrinsic }>> = {
  bitcastF32: { arg: "u32", result: "f32", fn: "bitcastf32" },
  bitcastU32: { arg: "f32", result: "u32", fn: "bitcastu32" },
  unpackF16: { arg: "u32", result: "f32", fn: "f16tof32" },
};
/** How deep helper functions may call helper functions (there is no recursion on a GPU). */
const MAX_INLINE_DEPTH = 16;
/** Most values a table() may hold. */
export const MAX_TABLE_VALUES = 4096;
const SCALAR_NAMES: readonly string[] = ["f32", "i32", "u32", "bool"];

/** How each quant field element type reads in a kernel. */
const FIELD_READ: Readonly<Record<string, { as: ByteLoad; type: Scalar } | undefined>> = {
  u8: { as: "u8", type: "u32" }, i8: { as: "i8", type: "i32" }, u16: { as: "u16", type: "u32" },
  i16: { as: "i16", type: "i32" }, i32: { as: "i32", type: "i32" }, f16: { as: "f16", type: "f32" },
  f32: { as: "f32", type: "f32" },
  // an e8m0 exponent byte (mxfp4's scale) reads as its raw u8; the kernel builds the power of two
  e8m0: { as: "u8", type: "u32" },
};

type Binding =
  | { kind: "uniform"; name: string; type: Scalar }
  | { kind: "buffer"; binding: BufferBinding }
  | { kind: "const"; value: number }
  | { kind: "local"; name: string; type: Scalar; mutable: boolean; line: number }
  | { kind: "shared"; name: string; type: Scalar }
  | { kind: "block"; buffer: BufferBinding; name: string }
  | { kind: "table"; decl: TableDecl };

/** A literal whose type is not fixed yet: an integer literal adapts to the other operand. */
const abstractLits = new WeakSet<Expr>();

class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(readonly parent: Scope | null) {}
  get(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.get(name);
  }
  set(name: string, b: Binding): void {
    this.names.set(name, b);
  }
}

class KernelBuilder {
  private readonly used = new Set<string>();
  private readonly shared: SharedDecl[] = [];
  private readonly tablesUsed = new Set<TableDecl>();
  /** Statements a helper call in the current statement's expressions expands to; they run just before it. */
  private pending: Stmt[] = [];
  /** > 0 while lowering an operand that may not be evaluated (&&, ||, ?:), where a helper cannot be hoisted. */
  private conditional = 0;
  /** Set while lowering a loop's condition or update, which run every iteration. */
  private loopHeader: string | null = null;
  private inlineDepth = 0;
  private fileScope: Scope = new Scope(null);
  private depth = 0;
  private wg: [number, number, number] = [1, 1, 1];

  constructor(
    readonly file: string,
    readonly sf: SourceFile,
    readonly tables: ReadonlyMap<string, TableDecl>,
    readonly helpers: ReadonlyMap<string, FunctionDeclaration>,
  ) {}

  loc(n: Node): Loc {
    const { line, column } = this.sf.getLineAndColumnAtPos(n.getStart());
    return { file: this.file, line, col: column };
  }

  fail(n: Node, problem: string, fix: string): never {
    throw new KernelError(this.loc(n), problem, fix);
  }

  /** A name for a new variable, unique in the kernel (sibling scopes reuse names like `i`). */
  fresh(name: string): string {
    let n = name;
    for (let k = 1; this.used.has(n); k++) n = `${name}_${k}`;
    this.used.add(n);
    return n;
  }

  build(decl: Node, call: Node): KernelIR {
    if (!Node.isCallExpression(call)) this.fail(call, "not a kernel() call", "declare kernels as `export const x = kernel({...}, (args) => {...})`");
    const [specNode, bodyNode, ...extra] = call.getArguments();
    if (!specNode || !bodyNode || extra.length > 0) this.fail(call, "kernel() takes two arguments", "write kernel(spec, body)");
    if (!Node.isObjectLiteralExpression(specNode)) this.fail(specNode, "the kernel spec is not an object literal", "write the spec inline: kernel({ name: ..., ... }, body)");

    let name = "";
    let wg: [number, number, number] = [0, 0, 0];
    const uniforms: UniformDecl[] = [];
    const buffers: BufferBinding[] = [];
    const constants: Record<string, number> = {};
    const needs: string[] = [];
    const fileScope = new Scope(null);
    for (const [n, decl] of this.tables) fileScope.set(n, { kind: "table", decl });
    this.fileScope = fileScope;
    const scope = new Scope(fileScope);

    for (const p of specNode.getProperties()) {
      if (!Node.isPropertyAssignment(p)) this.fail(p, "spec entries must be `key: value`", "write each spec entry out in full");
      const key = p.getName();
      const v = p.getInitializerOrThrow();
      switch (key) {
        case "name": {
          if (!Node.isStringLiteral(v) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.getLiteralValue())) {
            this.fail(v, "the kernel name must be a string literal that is a C identifier", 'write e.g. name: "matvec_q8_0"');
          }
          name = v.getLiteralValue();
          break;
        }
        case "workgroupSize": {
          const dims = Node.isArrayLiteralExpression(v) ? v.getElements() : [v];
          if (dims.length < 1 || dims.length > 3) this.fail(v, "workgroupSize has 1 to 3 dimensions", "write 256 or [16, 16]");
          const nums = dims.map((d) => this.constNumber(d, "workgroupSize"));
          wg = [nums[0] ?? 1, nums[1] ?? 1, nums[2] ?? 1];
          if (wg.some((d) => !Number.isInteger(d) || d < 1)) this.fail(v, `workgroupSize ${wg.join("x")} is not positive integers`, "use whole numbers >= 1");
          break;
        }
        case "uniforms": {
          for (const u of this.entries(v, "uniforms")) {
            const t = u.value.getText();
            if (!["f32", "i32", "u32"].includes(t)) this.fail(u.value, `uniform ${u.key} has type \`${t}\``, "uniforms are f32, i32 or u32");
            uniforms.push({ name: u.key, type: t as Scalar });
          }
          break;
        }
        case "buffers": {
          for (const b of this.entries(v, "buffers")) buffers.push(this.bufferDecl(b.key, b.value));
          break;
        }
        case "constants": {
          for (const c of this.entries(v, "constants")) constants[c.key] = this.constNumber(c.value, `constant ${c.key}`);
          break;
        }
        case "needs": {
          if (!Node.isArrayLiteralExpression(v)) this.fail(v, "needs is not an array", 'write needs: ["subgroups"]');
          for (const e of v.getElements()) {
            if (!Node.isStringLiteral(e) || e.getLiteralValue() !== "subgroups") this.fail(e, `unknown feature ${e.getText()}`, 'the features are: "subgroups"');
            needs.push(e.getLiteralValue());
          }
          break;
        }
        default:
          this.fail(p, `unknown spec entry \`${key}\``, "the entries are name, workgroupSize, uniforms, buffers, constants, needs");
      }
    }
    if (!name) this.fail(specNode, "the kernel has no name", 'add name: "my_kernel"');
    if (wg[0] === 0) this.fail(specNode, "the kernel has no workgroupSize", "add workgroupSize: 256");
    if (wg[0] * wg[1] * wg[2] > 256) {
      this.fail(specNode, `workgroupSize ${wg.join("x")} has ${wg[0] * wg[1] * wg[2]} invocations`, "use at most 256 (WebGPU's guaranteed limit)");
    }

    this.wg = wg;
    for (const u of uniforms) scope.set(u.name, { kind: "uniform", name: u.name, type: u.type });
    for (const b of buffers) scope.set(b.name, { kind: "buffer", binding: b });
    for (const [k, value] of Object.entries(constants)) scope.set(k, { kind: "const", value });
    for (const n of [...uniforms.map((u) => u.name), ...buffers.map((b) => b.name), ...Object.keys(constants)]) {
      if (this.used.has(n)) this.fail(specNode, `the name \`${n}\` is declared twice`, "give each uniform, buffer and constant its own name");
      this.used.add(n);
    }

    if (!Node.isArrowFunction(bodyNode)) this.fail(bodyNode, "the kernel body is not an arrow function", "write ({ n, x, out }) => { ... }");
    const params = bodyNode.getParameters();
    if (params.length > 1) this.fail(bodyNode, "the kernel body takes one parameter", "destructure it: ({ n, x, out }) => { ... }");
    const param = params[0];
    if (param) {
      const pattern = param.getNameNode();
      if (!Node.isObjectBindingPattern(pattern)) this.fail(param, "the kernel body's parameter is not destructured", "write ({ n, x, out }) => { ... }");
      for (const el of pattern.getElements()) {
        if (el.getPropertyNameNode() || el.getInitializer() || el.getDotDotDotToken()) {
          this.fail(el, "renaming, defaults and rest in the kernel parameter are not supported", "destructure plain names: ({ n, x })");
        }
        if (!scope.get(el.getName())) this.fail(el, `\`${el.getName()}\` is not a uniform, buffer or constant of this kernel`, "declare it in the spec or remove it");
      }
    }
    const block = bodyNode.getBody();
    if (!Node.isBlock(block)) this.fail(bodyNode, "the kernel body is an expression", "write a block: (args) => { ... }");

    const body = this.stmts(block.getStatements(), new Scope(scope), true);
    const docNode = decl.getParentOrThrow().getParentOrThrow();
    const ir: KernelIR = {
      name, source: this.file, loc: this.loc(decl), doc: commentsOf(docNode), workgroupSize: wg, uniforms, buffers, constants,
      shared: this.shared, tables: [...this.tables.values()].filter((t) => this.tablesUsed.has(t)), needs, body,
    };
    verifyKernel(ir);
    return ir;
  }

  private entries(v: Node, what: string): { key: string; value: Expression }[] {
    if (!Node.isObjectLiteralExpression(v)) this.fail(v, `${what} is not an object literal`, `write ${what}: { name: type }`);
    return v.getProperties().map((p) => {
      if (!Node.isPropertyAssignment(p)) this.fail(p, `${what} entries must be \`name: value\``, "write each entry out in full");
      const key = p.getName();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) this.fail(p, `\`${key}\` is not an identifier`, "use a plain name");
      return { key, value: p.getInitializerOrThrow() };
    });
  }

  private constNumber(n: Node, what: string): number {
    if (Node.isNumericLiteral(n)) return n.getLiteralValue();
    if (Node.isPrefixUnaryExpression(n) && n.getOperatorToken() === SyntaxKind.MinusToken) {
      const o = n.getOperand();
      if (Node.isNumericLiteral(o)) return -o.getLiteralValue();
    }
    return this.fail(n, `${what} is not a number literal`, "compile-time values are written as literals");
  }

  private bufferDecl(name: string, v: Expression): BufferBinding {
    const fix = "write read(f32), write(f32) or read(quant(\"q8_0\"))";
    if (!Node.isCallExpression(v)) this.fail(v, `buffer ${name} is not read(...) or write(...)`, fix);
    const fn = v.getExpression().getText();
    if (fn !== "read" && fn !== "write") this.fail(v, `buffer ${name} is declared with ${fn}()`, fix);
    const [arg] = v.getArguments();
    if (!arg) this.fail(v, `buffer ${name} has no element type`, fix);
    const access = fn === "read" ? "read" : "read_write";
    if (Node.isCallExpression(arg) && arg.getExpression().getText() === "quant") {
      const [q] = arg.getArguments();
      const info = q && Node.isStringLiteral(q) ? typeInfoByName(q.getLiteralValue()) : undefined;
      if (!q || !Node.isStringLiteral(q) || !info || info.blockSize === 1) {
        this.fail(arg, `buffer ${name}: ${q?.getText() ?? "nothing"} is not a quantized ggml type`, 'use ggml\'s lower-case name: quant("q8_0")');
      }
      if (access !== "read") this.fail(v, `buffer ${name}: quantized buffers are read-only`, "use read(quant(...))");
      const l = layoutOf(info.id);
      return { name, elem: { quant: l.name, blockBytes: l.typeSize, blockValues: l.blockSize }, access };
    }
    const t = arg.getText();
    if (!["f32", "i32", "u32"].includes(t)) this.fail(arg, `buffer ${name} has element type \`${t}\``, "buffers hold f32, i32, u32 or quant(\"type\") blocks");
    return { name, elem: t as Scalar, access };
  }

  // ---- statements ----------------------------------------------------------------------------------

  private stmts(list: Statement[], scope: Scope, top: boolean): Stmt[] {
    const out: Stmt[] = [];
    for (const s of list) {
      // helper calls in this statement's expressions expand into statements placed just before it
      const outer = this.pending;
      this.pending = [];
      const produced = this.stmt(s, scope, top);
      const hoisted = this.pending;
      this.pending = outer;
      // a helper called as a statement leaves an empty block behind
      out.push(...hoisted, ...produced.filter((p) => !(p.k === "block" && p.body.length === 0 && !p.comments)));
    }
    return out;
  }

  private base(n: Node): { loc: Loc; comments?: string[] } {
    const comments = commentsOf(n);
    return comments.length ? { loc: this.loc(n), comments } : { loc: this.loc(n) };
  }

  private stmt(s: Statement, scope: Scope, top: boolean): Stmt[] {
    if (Node.isVariableStatement(s)) {
      const list = s.getDeclarationList();
      const mutable = list.getDeclarationKind() === "let";
      if (list.getDeclarationKind() === "var") this.fail(s, "`var` is not part of the DSL", "use const or let");
      const out: Stmt[] = [];
      for (const d of list.getDeclarations()) {
        const r = this.varDecl(d, scope, mutable, top, out.length === 0 ? s : d);
        if (r) out.push(r);
      }
      return out;
    }
    if (Node.isExpressionStatement(s)) return [this.exprStmt(s.getExpression(), scope, s)];
    if (Node.isIfStatement(s)) {
      const cond = this.cond(s.getExpression(), scope);
      const thenS = this.branch(s.getThenStatement(), scope);
      const e = s.getElseStatement();
      return [{ k: "if", ...this.base(s), cond, then: thenS, else: e ? this.branch(e, scope) : null }];
    }
    if (Node.isForStatement(s)) return [this.forStmt(s, scope)];
    if (Node.isBlock(s)) {
      this.depth++;
      const body = this.stmts(s.getStatements(), new Scope(scope), false);
      this.depth--;
      return [{ k: "block", ...this.base(s), body }];
    }
    if (Node.isBreakStatement(s) || Node.isContinueStatement(s)) {
      if (s.getLabel()) this.fail(s, "labels are not part of the DSL", "restructure the loop without a label");
      return [{ k: Node.isBreakStatement(s) ? "break" : "continue", ...this.base(s) }];
    }
    if (Node.isReturnStatement(s)) {
      if (this.inlineDepth > 0) this.fail(s, "a helper function returns only at its end", "compute the result in a let variable and return it in the last statement");
      if (s.getExpression()) this.fail(s, "a kernel returns no value", "write results into a buffer and use a bare `return;`");
      return [{ k: "return", ...this.base(s) }];
    }
    if (Node.isWhileStatement(s) || Node.isDoStatement(s)) {
      return this.fail(s, "while loops are not part of the DSL", "write a for loop with a bound: for (let i = 0; i < n; i++)");
    }
    return this.fail(s, `${s.getKindName()} is not part of the DSL`, "see codegen/dsl/README.md for the statements a kernel may use");
  }

  private branch(s: Statement, scope: Scope): Stmt[] {
    this.depth++;
    const r = this.stmts(Node.isBlock(s) ? s.getStatements() : [s], new Scope(scope), false);
    this.depth--;
    return r;
  }

  private varDecl(d: Node, scope: Scope, mutable: boolean, top: boolean, at: Node): Stmt | null {
    if (!Node.isVariableDeclaration(d)) return this.fail(d, "unexpected declaration", "declare one name at a time");
    const nameNode = d.getNameNode();
    if (!Node.isIdentifier(nameNode)) this.fail(d, "destructuring is not part of the DSL", "declare one name at a time");
    const srcName = d.getName();
    const init = d.getInitializer();
    const typeNode = d.getTypeNode();
    if (init && Node.isCallExpression(init) && init.getExpression().getText() === "shared") {
      if (!top || mutable) this.fail(d, `shared array ${srcName} is not declared at the top of the kernel body`, "declare it with const at the top level of the body");
      const [t, n] = init.getArguments();
      if (!t || !["f32", "i32", "u32"].includes(t.getText())) this.fail(init, `shared array ${srcName} has element type ${t?.getText() ?? "(none)"}`, "write shared(f32, n), shared(i32, n) or shared(u32, n)");
      if (!n) this.fail(init, `shared array ${srcName} has no size`, "write shared(f32, 256)");
      const size = this.constInt(n, scope);
      const name = this.fresh(srcName);
      this.shared.push({ name, type: t.getText() as Scalar, size, loc: this.loc(d) });
      scope.set(srcName, { kind: "shared", name, type: t.getText() as Scalar });
      return null;
    }
    if (init && Node.isCallExpression(init) && Node.isPropertyAccessExpression(init.getExpression()) && init.getExpression().getText().endsWith(".block")) {
      if (mutable) this.fail(d, `block handle ${srcName} is declared with let`, "declare it with const");
      const buf = this.quantBuffer(init.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getExpression(), scope);
      const index = this.blockIndex(init, scope);
      const name = this.fresh(srcName);
      scope.set(srcName, { kind: "block", buffer: buf, name });
      return { k: "decl", ...this.base(at), name, type: "u32", mutable: false, init: index };
    }
    let type: Scalar | null = null;
    if (typeNode) {
      const t = typeNode.getText();
      if (!SCALAR_NAMES.includes(t)) this.fail(typeNode, `type \`${t}\` is not a DSL scalar type`, "annotate with f32, i32, u32 or bool");
      type = t as Scalar;
    }
    let value: Expr | null = null;
    if (init) {
      const collective = this.collectiveCall(init, scope);
      value = collective ?? this.expr(init, scope);
      if (type) value = this.coerce(value, type, init);
      else if (abstractLits.has(value)) {
        this.fail(init, `the type of ${srcName} is ambiguous (an integer literal can be i32 or u32)`, `annotate it: let ${srcName}: u32 = ${init.getText()} (or i32, or write ${init.getText()}.0 for f32)`);
      }
      type = value.type;
    } else {
      if (!mutable) this.fail(d, `const ${srcName} has no value`, "give it an initializer");
      if (!type) this.fail(d, `${srcName} has neither a type nor a value`, `annotate it: let ${srcName}: f32`);
    }
    const name = this.fresh(srcName);
    scope.set(srcName, { kind: "local", name, type: type!, mutable, line: this.loc(d).line });
    return { k: "decl", ...this.base(at), name, type: type!, mutable, init: value };
  }

  private constInt(n: Node, scope: Scope): number {
    if (Node.isIdentifier(n)) {
      const b = scope.get(n.getText());
      if (b?.kind === "const") return b.value;
    }
    if (Node.isPropertyAccessExpression(n) && n.getExpression().getText() === "workgroupSize") {
      const axis = ["x", "y", "z"].indexOf(n.getName());
      if (axis >= 0) return this.wg[axis]!;
    }
    return this.constNumber(n, "the size");
  }

  private forStmt(s: Node, scope: Scope): Stmt {
    if (!Node.isForStatement(s)) return this.fail(s, "not a for loop", "");
    const inner = new Scope(scope);
    const initNode = s.getInitializer();
    const condNode = s.getCondition();
    const incNode = s.getIncrementor();
    const fix = "write for (let i = start; i < end; i++) (or i += step, i >>= 1, ...)";
    if (!initNode || !Node.isVariableDeclarationList(initNode) || initNode.getDeclarations().length !== 1 || initNode.getDeclarationKind() !== "let") {
      this.fail(s, "a for loop must declare one loop variable with let", fix);
    }
    if (!condNode) this.fail(s, "a for loop needs a condition", fix);
    if (!incNode) this.fail(s, "a for loop needs an update", fix);
    const d = initNode.getDeclarations()[0]!;
    const initExpr = d.getInitializer();
    if (!initExpr) this.fail(d, "the loop variable has no start value", fix);
    let start = this.expr(initExpr, scope);
    const typeNode = d.getTypeNode();
    if (typeNode) {
      const t = typeNode.getText();
      if (!SCALAR_NAMES.includes(t)) this.fail(typeNode, `type \`${t}\` is not a DSL scalar type`, "annotate with i32 or u32");
      start = this.coerce(start, t as Scalar, initExpr);
    } else if (abstractLits.has(start)) {
      // `for (let i = 0; i < n; ...)`: the loop variable takes the type of the bound it is compared with
      const bound = Node.isBinaryExpression(condNode) ? [condNode.getLeft(), condNode.getRight()].find((x) => x.getText() !== d.getName()) : undefined;
      const bt = bound ? this.expr(bound, scope) : null;
      start = this.coerce(start, bt && !abstractLits.has(bt) ? bt.type : "u32", initExpr);
    }
    const name = this.fresh(d.getName());
    inner.set(d.getName(), { kind: "local", name, type: start.type, mutable: true, line: this.loc(d).line });
    const init = { k: "decl" as const, loc: this.loc(d), name, type: start.type, mutable: true, init: start };
    this.loopHeader = "the loop condition";
    const cond = this.cond(condNode, inner);
    this.loopHeader = "the loop update";
    const update = this.exprStmt(incNode, inner, incNode);
    this.loopHeader = null;
    if (update.k !== "assign" || update.target.k !== "var" || update.target.name !== name) {
      this.fail(incNode, "the loop update must change the loop variable", fix);
    }
    this.depth++;
    const stmtBody = s.getStatement();
    const body = this.stmts(Node.isBlock(stmtBody) ? stmtBody.getStatements() : [stmtBody], new Scope(inner), false);
    this.depth--;
    return { k: "for", ...this.base(s), init, cond, update, body };
  }

  private exprStmt(e: Expression, scope: Scope, at: Node): Stmt {
    const base = this.base(at);
    if (Node.isCallExpression(e)) {
      const fn = e.getExpression().getText();
      if (fn === "barrier") {
        if (e.getArguments().length) this.fail(e, "barrier() takes no arguments", "write barrier()");
        return { k: "barrier", ...base };
      }
      if (this.helpers.has(fn)) {
        // a helper called for its effects: its statements are the statement
        this.inlineHelper(e, scope);
        return { k: "block", ...base, body: [] };
      }
      this.fail(e, `the result of ${fn}() is unused`, "assign it to a variable or a buffer element");
    }
    if ((Node.isPostfixUnaryExpression(e) || Node.isPrefixUnaryExpression(e)) && (e.getOperatorToken() === SyntaxKind.PlusPlusToken || e.getOperatorToken() === SyntaxKind.MinusMinusToken)) {
      const target = this.lvalue(e.getOperand(), scope);
      const one: Expr = { k: "lit", type: target.type, value: 1 };
      if (target.type === "bool") this.fail(e, "++/-- on a bool", "use an integer or f32");
      return { k: "assign", ...base, target, op: e.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+=" : "-=", value: one };
    }
    if (Node.isBinaryExpression(e)) {
      const opText = e.getOperatorToken().getText();
      const ops: Record<string, AssignOp> = {
        "=": "=", "+=": "+=", "-=": "-=", "*=": "*=", "/=": "/=", "%=": "%=", "<<=": "<<=", ">>=": ">>=", ">>>=": ">>=", "&=": "&=", "|=": "|=", "^=": "^=",
      };
      const op = ops[opText];
      if (op) {
        const target = this.lvalue(e.getLeft(), scope);
        const rhs = e.getRight();
        let value: Expr;
        if (op === "=") {
          value = this.coerce(this.collectiveCall(rhs, scope) ?? this.expr(rhs, scope), target.type, rhs);
        } else {
          // check the compound operator as the binary operation it stands for
          const bop = op.slice(0, -1) as BinOp;
          const current: Expr = target.k === "var" ? { k: "var", type: target.type, name: target.name } : { k: "load", type: target.type, buffer: target.buffer, index: target.index };
          const r = this.expr(rhs, scope);
          this.binary(bop, current, r, e, opText === ">>>=" ? ">>>" : bop);
          value = abstractLits.has(r) || ["<<", ">>"].includes(bop) ? this.coerce(r, ["<<", ">>"].includes(bop) ? "u32" : target.type, rhs) : r;
        }
        return { k: "assign", ...base, target, op, value };
      }
    }
    return this.fail(e, `the expression statement \`${e.getText()}\` has no effect the DSL allows`, "statements are assignments, x++, barrier() and control flow");
  }

  private lvalue(n: Node, scope: Scope): { k: "var"; name: string; type: Scalar } | { k: "store"; buffer: string; index: Expr; type: Scalar } {
    if (Node.isIdentifier(n)) {
      const b = scope.get(n.getText());
      if (b?.kind === "local") {
        if (!b.mutable) this.fail(n, `${n.getText()} is a const (line ${b.line})`, `declare it with let to assign to it`);
        return { k: "var", name: b.name, type: b.type };
      }
      if (b?.kind === "uniform") this.fail(n, `uniform ${n.getText()} is read-only`, "copy it into a let variable first");
      this.fail(n, `cannot assign to \`${n.getText()}\``, "assign to a let variable or a buffer element");
    }
    if (Node.isElementAccessExpression(n)) {
      const obj = n.getExpression();
      const b = Node.isIdentifier(obj) ? scope.get(obj.getText()) : undefined;
      const index = this.index(n.getArgumentExpressionOrThrow(), scope);
      if (b?.kind === "shared") return { k: "store", buffer: b.name, index, type: b.type };
      if (b?.kind === "buffer") {
        if (typeof b.binding.elem !== "string") this.fail(n, `buffer ${b.binding.name} holds quant blocks`, "quantized buffers are read-only");
        if (b.binding.access !== "read_write") this.fail(n, `buffer ${b.binding.name} is declared read(...) but written here`, `declare it as write(${b.binding.elem}) in the spec`);
        return { k: "store", buffer: b.binding.name, index, type: b.binding.elem };
      }
    }
    return this.fail(n, `cannot assign to \`${n.getText()}\``, "assign to a let variable or a buffer element");
  }

  // ---- expressions ---------------------------------------------------------------------------------

  private cond(n: Expression, scope: Scope): Expr {
    const c = this.expr(n, scope);
    if (c.type !== "bool") this.fail(n, `the condition \`${n.getText()}\` is ${c.type}, not bool`, `compare explicitly: ${n.getText()} != 0`);
    return c;
  }

  private index(n: Expression, scope: Scope): Expr {
    const i = this.expr(n, scope);
    if (abstractLits.has(i)) return this.coerce(i, "u32", n);
    if (i.type !== "u32") this.fail(n, `the index \`${n.getText()}\` is ${i.type}`, `indexes are u32: write u32(${n.getText()})`);
    return i;
  }

  /** Gives an abstract literal the expected type, or checks that a typed expression already has it. */
  coerce(e: Expr, type: Scalar, at: Node): Expr {
    if (abstractLits.has(e) && e.k === "lit") {
      const v = e.value as number;
      if (type === "bool") this.fail(at, `the number ${at.getText()} is used as a bool`, "write true or false, or a comparison");
      if (type === "u32" && v < 0) this.fail(at, `${at.getText()} is negative but a u32 is expected`, "use a u32 value, or convert the other side with i32()");
      return { k: "lit", type, value: v };
    }
    if (e.type !== type) {
      this.fail(at, `\`${at.getText()}\` is ${e.type} where ${type} is expected (no implicit conversion)`, `convert explicitly: ${type}(${at.getText()})`);
    }
    return e;
  }

  private collectiveCall(n: Expression, scope: Scope): Expr | null {
    if (!Node.isCallExpression(n)) return null;
    const fn = n.getExpression().getText();
    if (fn !== "workgroupSum" && fn !== "workgroupMax") return null;
    const args = n.getArguments();
    if (args.length !== 1) this.fail(n, `${fn} takes one argument`, `write ${fn}(x)`);
    const arg = this.coerce(this.expr(args[0] as Expression, scope), "f32", args[0]!);
    return { k: "collective", type: "f32", fn, arg };
  }

  private quantBuffer(n: Node, scope: Scope): BufferBinding {
    const b = Node.isIdentifier(n) ? scope.get(n.getText()) : undefined;
    if (b?.kind !== "buffer" || typeof b.binding.elem === "string") {
      this.fail(n, `\`${n.getText()}\` is not a quantized buffer`, 'declare it as read(quant("q8_0")) to use .block(i)');
    }
    return b.binding;
  }

  private blockIndex(call: Node, scope: Scope): Expr {
    if (!Node.isCallExpression(call)) return this.fail(call, "not a call", "");
    const args = call.getArguments();
    if (args.length !== 1) this.fail(call, ".block() takes one block index", "write W.block(i)");
    return this.index(args[0] as Expression, scope);
  }

  /** A field of a quant block: `blk.d`, `W.block(i).d`, and with an element index `blk.qs[j]`. */
  private quantField(obj: Node, fieldName: string, indexNode: Expression | null, at: Node, scope: Scope): Expr {
    let buf: BufferBinding;
    let block: Expr;
    const b = Node.isIdentifier(obj) ? scope.get(obj.getText()) : undefined;
    if (b?.kind === "block") {
      buf = b.buffer;
      block = { k: "var", type: "u32", name: b.name };
    } else if (Node.isCallExpression(obj) && Node.isPropertyAccessExpression(obj.getExpression()) && obj.getExpression().getText().endsWith(".block")) {
      buf = this.quantBuffer(obj.getExpression().asKindOrThrow(SyntaxKind.PropertyAccessExpression).getExpression(), scope);
      block = this.blockIndex(obj, scope);
    } else {
      return this.fail(at, `\`${at.getText()}\` is not a quant block field`, "read fields of a block: W.block(i).d or blk.qs[j]");
    }
    const q = buf.elem as { quant: string };
    const layout = layoutOf(typeInfoByName(q.quant)!.id);
    const field: BlockField | undefined = layout.field[fieldName];
    if (!field) this.fail(at, `${q.quant} blocks have no field \`${fieldName}\``, `the fields are: ${layout.fields.map((f) => f.name).join(", ")} (engine/quant/layouts.ts)`);
    const read = FIELD_READ[field.type];
    if (!read) this.fail(at, `field ${fieldName} of ${q.quant} is ${field.type}, which the DSL cannot read yet`, "read it as u8 bytes or extend FIELD_READ in codegen/frontend/parse.ts");
    if (field.count > 1 && !indexNode) this.fail(at, `${fieldName} is an array of ${field.count} ${field.type}`, `index it: ${at.getText()}[j]`);
    if (field.count === 1 && indexNode) this.fail(at, `${fieldName} is a single ${field.type}`, `drop the index: ${at.getText()}`);
    const index = indexNode ? this.index(indexNode, scope) : null;
    return { k: "quant", type: read.type, buffer: buf.name, block, field: fieldName, index };
  }

  expr(n: Expression, scope: Scope): Expr {
    if (Node.isParenthesizedExpression(n)) return this.expr(n.getExpression(), scope);
    if (Node.isNumericLiteral(n)) {
      const text = n.getText();
      const value = n.getLiteralValue();
      if (/^0[xXbBoO]/.test(text) || !/[.eE]/.test(text)) {
        if (value > 0xffffffff) this.fail(n, `${text} does not fit 32 bits`, "use a smaller integer");
        const lit: Expr = { k: "lit", type: value > 0x7fffffff ? "u32" : "i32", value };
        if (value <= 0x7fffffff) abstractLits.add(lit);
        return lit;
      }
      return { k: "lit", type: "f32", value: Math.fround(value) };
    }
    if (n.getKind() === SyntaxKind.TrueKeyword || n.getKind() === SyntaxKind.FalseKeyword) {
      return { k: "lit", type: "bool", value: n.getKind() === SyntaxKind.TrueKeyword };
    }
    if (Node.isIdentifier(n)) {
      const name = n.getText();
      const b = scope.get(name);
      if (!b) {
        if (BUILTINS.includes(name as BuiltinName)) this.fail(n, `${name} is a vector`, `use one component: ${name}.x`);
        this.fail(n, `\`${name}\` is not declared`, "declare it, or add it to the kernel's uniforms/buffers/constants and the body's parameter");
      }
      switch (b.kind) {
        case "uniform":
          return { k: "uniform", type: b.type, name: b.name };
        case "local":
          return { k: "var", type: b.type, name: b.name };
        case "const": {
          if (Number.isInteger(b.value)) {
            const lit: Expr = { k: "lit", type: "i32", value: b.value };
            abstractLits.add(lit);
            return lit;
          }
          return { k: "lit", type: "f32", value: Math.fround(b.value) };
        }
        default:
          return this.fail(n, `\`${name}\` is a ${b.kind === "block" ? "block handle" : b.kind === "shared" ? "shared array" : b.kind === "table" ? "table" : "buffer"}, not a value`, "index it or read one of its fields");
      }
    }
    if (Node.isPropertyAccessExpression(n)) {
      const obj = n.getExpression();
      const prop = n.getName();
      if (Node.isIdentifier(obj) && BUILTINS.includes(obj.getText() as BuiltinName) && !scope.get(obj.getText())) {
        if (prop !== "x" && prop !== "y" && prop !== "z") this.fail(n, `${obj.getText()} has no component ${prop}`, "use .x, .y or .z");
        return { k: "builtin", type: "u32", name: obj.getText() as BuiltinName, axis: prop as Axis };
      }
      return this.quantField(obj, prop, null, n, scope);
    }
    if (Node.isElementAccessExpression(n)) {
      const obj = n.getExpression();
      const idx = n.getArgumentExpressionOrThrow();
      if (Node.isPropertyAccessExpression(obj) && !(Node.isIdentifier(obj.getExpression()) && BUILTINS.includes(obj.getExpression().getText() as BuiltinName))) {
        return this.quantField(obj.getExpression(), obj.getName(), idx, n, scope);
      }
      const b = Node.isIdentifier(obj) ? scope.get(obj.getText()) : undefined;
      if (b?.kind === "shared") return { k: "load", type: b.type, buffer: b.name, index: this.index(idx, scope) };
      if (b?.kind === "table") {
        this.tablesUsed.add(b.decl);
        return { k: "load", type: b.decl.type, buffer: b.decl.name, index: this.index(idx, scope) };
      }
      if (b?.kind === "buffer") {
        if (typeof b.binding.elem !== "string") this.fail(n, `${obj.getText()} holds ${b.binding.elem.quant} blocks, not values`, `read a block field: ${obj.getText()}.block(i).d`);
        return { k: "load", type: b.binding.elem, buffer: b.binding.name, index: this.index(idx, scope) };
      }
      return this.fail(n, `\`${obj.getText()}\` cannot be indexed`, "index a buffer, a shared array or a block field");
    }
    if (Node.isPrefixUnaryExpression(n)) {
      const op = n.getOperatorToken();
      const operand = n.getOperand();
      if (op === SyntaxKind.MinusToken && Node.isNumericLiteral(operand)) {
        const lit = this.expr(operand, scope);
        const neg: Expr = { k: "lit", type: lit.type, value: -(lit as { value: number }).value };
        if (abstractLits.has(lit)) abstractLits.add(neg);
        return neg;
      }
      const a = this.expr(operand, scope);
      if (op === SyntaxKind.MinusToken) {
        if (a.type === "bool" || a.type === "u32") this.fail(n, `negating a ${a.type}`, a.type === "u32" ? `convert first: -i32(${operand.getText()})` : "use !");
        return { k: "un", type: a.type, op: "-", a };
      }
      if (op === SyntaxKind.ExclamationToken) {
        if (a.type !== "bool") this.fail(n, `! on ${a.type}`, `compare explicitly: ${operand.getText()} == 0`);
        return { k: "un", type: "bool", op: "!", a };
      }
      if (op === SyntaxKind.TildeToken) {
        if (a.type !== "i32" && a.type !== "u32") this.fail(n, `~ on ${a.type}`, "bit operations take i32 or u32");
        return { k: "un", type: a.type, op: "~", a };
      }
      return this.fail(n, `the operator ${n.getText().slice(0, 2)} is not allowed in an expression`, "use ++/-- as statements only");
    }
    if (Node.isConditionalExpression(n)) {
      const cond = this.cond(n.getCondition(), scope);
      this.conditional++;
      let a = this.expr(n.getWhenTrue(), scope);
      let b = this.expr(n.getWhenFalse(), scope);
      this.conditional--;
      if (abstractLits.has(a) && !abstractLits.has(b)) a = this.coerce(a, b.type, n.getWhenTrue());
      else b = this.coerce(b, a.type, n.getWhenFalse());
      return { k: "select", type: a.type, cond, a, b };
    }
    if (Node.isBinaryExpression(n)) {
      const opText = n.getOperatorToken().getText();
      const a = this.expr(n.getLeft(), scope);
      // the right side of && and || may not run: nothing may be hoisted out of it
      const shortCircuit = opText === "&&" || opText === "||";
      if (shortCircuit) this.conditional++;
      const b = this.expr(n.getRight(), scope);
      if (shortCircuit) this.conditional--;
      return this.binary(opText, a, b, n, opText);
    }
    if (Node.isCallExpression(n)) return this.call(n, scope);
    if (Node.isAsExpression(n) || Node.isTypeAssertion(n)) this.fail(n, "type assertions do not convert values", "convert explicitly: f32(x), u32(x), i32(x)");
    return this.fail(n, `${n.getKindName()} is not part of the DSL`, "see codegen/dsl/README.md for the expressions a kernel may use");
  }

  /**
   * Inlines a call of a helper function declared in the kernel's file: its parameters become local
   * constants (buffers, shared arrays, tables and block handles are passed by name), its body runs
   * just before the statement that calls it, and the call's value is a variable holding its result.
   */
  private inlineHelper(call: Node, scope: Scope): Expr | null {
    if (!Node.isCallExpression(call)) return this.fail(call, "not a call", "");
    const name = call.getExpression().getText();
    const fn = this.helpers.get(name)!;
    if (this.conditional > 0) {
      this.fail(call, `helper ${name}() inside &&, || or ?: (its statements would run even when that operand does not)`, `call it in a statement before: const v = ${name}(...)`);
    }
    if (this.loopHeader) this.fail(call, `helper ${name}() in ${this.loopHeader}, which runs on every iteration`, "compute it in the loop body, or before the loop if it does not change");
    if (this.inlineDepth >= MAX_INLINE_DEPTH) this.fail(call, `helper ${name}() calls nest more than ${MAX_INLINE_DEPTH} deep (recursion?)`, "helpers are inlined; a kernel cannot recurse");
    const params = fn.getParameters();
    const args = call.getArguments() as Expression[];
    if (args.length !== params.length) this.fail(call, `${name}() takes ${params.length} argument${params.length === 1 ? "" : "s"}, got ${args.length}`, `see the declaration of ${name} at line ${fn.getStartLineNumber()}`);
    const inner = new Scope(this.fileScope);
    const decls: Stmt[] = [];
    params.forEach((p, i) => {
      const arg = args[i]!;
      void i;
      const t = p.getTypeNode()?.getText();
      if (t && SCALAR_NAMES.includes(t)) {
        const value = this.coerce(this.expr(arg, scope), t as Scalar, arg);
        const local = this.fresh(p.getName());
        inner.set(p.getName(), { kind: "local", name: local, type: t as Scalar, mutable: false, line: p.getStartLineNumber() });
        decls.push({ k: "decl", loc: this.loc(p), ...(decls.length === 0 ? { comments: [`inlined ${name}()`] } : {}), name: local, type: t as Scalar, mutable: false, init: value });
        return;
      }
      // buffers, shared arrays, tables and block handles are passed by name
      const b = Node.isIdentifier(arg) ? scope.get(arg.getText()) : undefined;
      if (!b || b.kind === "local" || b.kind === "uniform" || b.kind === "const") {
        this.fail(arg, `parameter ${p.getName()} of ${name}() has type ${t ?? "(none)"}: it takes a buffer, shared array, table or block handle by name`, `annotate scalar parameters with f32, i32, u32 or bool, and pass buffers by their name`);
      }
      inner.set(p.getName(), b);
    });
    const body = fn.getBody();
    if (!body || !Node.isBlock(body)) return this.fail(fn, `helper ${name} has no body`, "write function name(...) { ... }");
    const list = body.getStatements();
    const last = list[list.length - 1];
    const returns = last && Node.isReturnStatement(last) && last.getExpression() ? last : null;
    const bodyScope = new Scope(inner);
    this.inlineDepth++;
    const saved = { conditional: this.conditional, loopHeader: this.loopHeader };
    this.conditional = 0;
    this.loopHeader = null;
    const stmts = this.stmts(returns ? list.slice(0, -1) : list, bodyScope, false);
    let result: Expr | null = null;
    const tail: Stmt[] = [];
    if (returns) {
      const outer = this.pending;
      this.pending = [];
      const retNode = returns.getExpressionOrThrow();
      let value = this.expr(retNode, bodyScope);
      const rt = fn.getReturnTypeNode()?.getText();
      if (rt && SCALAR_NAMES.includes(rt)) value = this.coerce(value, rt as Scalar, retNode);
      else if (abstractLits.has(value)) this.fail(retNode, `the return type of ${name} is ambiguous`, `annotate it: function ${name}(...): u32`);
      const local = this.fresh(name);
      tail.push(...this.pending, { k: "decl", loc: this.loc(returns), name: local, type: value.type, mutable: false, init: value });
      this.pending = outer;
      result = { k: "var", type: value.type, name: local };
    }
    this.conditional = saved.conditional;
    this.loopHeader = saved.loopHeader;
    this.inlineDepth--;
    this.pending.push(...decls, ...stmts, ...tail);
    return result;
  }

  private binary(opText: string, a0: Expr, b0: Expr, n: Node, shown: string): Expr {
    const map: Record<string, BinOp> = {
      "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "<<": "<<", ">>": ">>", ">>>": ">>", "&": "&", "|": "|", "^": "^",
      "<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "==", "===": "==", "!=": "!=", "!==": "!=", "&&": "&&", "||": "||",
    };
    const op = map[opText];
    if (!op) return this.fail(n, `the operator ${opText} is not part of the DSL`, "see codegen/dsl/README.md for the operators");
    const left = Node.isBinaryExpression(n) ? n.getLeft() : n;
    const right = Node.isBinaryExpression(n) ? n.getRight() : n;
    let a = a0;
    let b = b0;
    if (op === "<<" || op === ">>") {
      if (a.type !== "i32" && a.type !== "u32") this.fail(n, `${shown} on ${a.type}`, "shifts take an i32 or u32 on the left");
      if (abstractLits.has(a)) a = this.coerce(a, "i32", left);
      if (shown === ">>>" && a.type === "i32") this.fail(n, ">>> on i32 (TypeScript would reinterpret it as unsigned)", `convert first: u32(${left.getText()}) >>> ...`);
      b = abstractLits.has(b) ? this.coerce(b, "u32", right) : b;
      if (b.type !== "u32") this.fail(right, `the shift amount \`${right.getText()}\` is ${b.type}`, `shift amounts are u32: u32(${right.getText()})`);
      return { k: "bin", type: a.type, op, a, b };
    }
    if (abstractLits.has(a) && !abstractLits.has(b)) a = this.coerce(a, b.type, left);
    else if (abstractLits.has(b) && !abstractLits.has(a)) b = this.coerce(b, a.type, right);
    const both = abstractLits.has(a) && abstractLits.has(b);
    if (a.type !== b.type) {
      const hint = isNumeric(a.type) && isNumeric(b.type)
        ? `convert one side explicitly, e.g. ${b.type}(${left.getText()}) or ${a.type}(${right.getText()})`
        : "compare or convert explicitly";
      this.fail(n, `\`${n.getText()}\` mixes ${a.type} and ${b.type} (no implicit conversion)`, hint);
    }
    const t = a.type;
    let type: Scalar = t;
    switch (op) {
      case "+": case "-": case "*":
        if (t === "bool") this.fail(n, `arithmetic ${shown} on bool`, "use && / || or convert with u32()");
        break;
      case "/":
        if (t !== "f32") this.fail(n, `integer division \`${n.getText()}\` (TypeScript's / gives a fraction, targets truncate)`, `use idiv(${left.getText()}, ${right.getText()}) for a truncating quotient, a shift (>> k) for a power of two, or f32() for a float quotient`);
        break;
      case "%":
        if (t === "f32" || t === "bool") this.fail(n, `% on ${t}`, t === "f32" ? "float remainder is not part of the DSL: write x - floor(x / y) * y" : "% takes integers");
        break;
      case "&": case "|": case "^":
        if (t !== "i32" && t !== "u32") this.fail(n, `bit operation ${shown} on ${t}`, t === "bool" ? "use && or ||" : "bit operations take i32 or u32");
        break;
      case "<": case "<=": case ">": case ">=":
        if (t === "bool") this.fail(n, `ordering comparison on bool`, "compare numbers");
        type = "bool";
        break;
      case "==": case "!=":
        type = "bool";
        break;
      case "&&": case "||":
        if (t !== "bool") this.fail(n, `${shown} on ${t}`, `compare explicitly: (${left.getText()}) != 0`);
        break;
    }
    const r: Expr = { k: "bin", type, op, a, b };
    if (both && type !== "bool") abstractLits.add(r);
    return r;
  }

  private call(n: Node, scope: Scope): Expr {
    if (!Node.isCallExpression(n)) return this.fail(n, "not a call", "");
    const callee = n.getExpression();
    const fn = callee.getText();
    const args = n.getArguments() as Expression[];
    if (Node.isIdentifier(callee) && this.helpers.has(fn)) {
      const r = this.inlineHelper(n, scope);
      if (!r) this.fail(n, `helper ${fn}() returns no value`, `call it as a statement, or give ${fn} a return type and a final return`);
      return r;
    }
    if (!Node.isIdentifier(callee) || !KNOWN_CALLS.includes(fn)) {
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === "block") {
        this.fail(n, `${fn}(...) is a block handle, not a value`, "read a field: W.block(i).d, or name it: const blk = W.block(i)");
      }
      const display = fn.length > 40 ? `${fn.slice(0, 40)}...` : fn;
      return this.fail(n, `unknown function ${display}()`, `kernels may call only the DSL intrinsics: ${[...F32_MATH, "fma", "pow", "abs", "max", "min", "clamp", "select", "idiv", "f32", "i32", "u32", ...Object.keys(FIXED)].join(", ")}`);
    }
    const arity: Record<string, number> = { fma: 3, clamp: 3, select: 3, max: 2, min: 2, idiv: 2, pow: 2 };
    const want = arity[fn] ?? 1;
    if (fn === "barrier") this.fail(n, "barrier() is a statement", "call it on its own line");
    if (fn === "shared") this.fail(n, "shared() declares memory", "declare it at the top of the body: const tile = shared(f32, 256)");
    if (fn === "workgroupSum" || fn === "workgroupMax") {
      this.fail(n, `${fn}() inside an expression`, `assign it to a variable first: const s = ${fn}(...)`);
    }
    if (args.length !== want) this.fail(n, `${fn}() takes ${want} argument${want > 1 ? "s" : ""}, got ${args.length}`, `see codegen/dsl/index.ts for ${fn}'s signature`);
    const vals = args.map((a) => this.expr(a, scope));
    const fixed = FIXED[fn];
    if (fixed) return { k: "call", type: fixed.result, fn: fixed.fn, args: [this.coerce(vals[0]!, fixed.arg, args[0]!)] };
    if (fn === "f32" || fn === "i32" || fn === "u32") {
      const v = vals[0]!;
      if (abstractLits.has(v)) return this.coerce(v, fn, args[0]!);
      if (v.type === fn) return v;
      return { k: "conv", type: fn, a: v };
    }
    if (F32_MATH.includes(fn) || fn === "fma" || fn === "pow") {
      const typed = vals.map((v, i) => this.coerce(v, "f32", args[i]!));
      return { k: "call", type: "f32", fn: fn as Intrinsic, args: typed };
    }
    if (fn === "select") {
      const cond = this.coerce(vals[0]!, "bool", args[0]!);
      let [a, b] = [vals[1]!, vals[2]!];
      if (abstractLits.has(a) && !abstractLits.has(b)) a = this.coerce(a, b.type, args[1]!);
      else b = this.coerce(b, a.type, args[2]!);
      return { k: "select", type: a.type, cond, a, b };
    }
    // abs max min clamp idiv: operands of one numeric type
    const typedArg = vals.find((v) => !abstractLits.has(v));
    const t = typedArg ? typedArg.type : "i32";
    const typed = vals.map((v, i) => this.coerce(v, t, args[i]!));
    if (t === "bool") this.fail(n, `${fn}() on bool`, `${fn}() takes numbers`);
    if (fn === "idiv" && t === "f32") this.fail(n, "idiv() on f32", "use / for float division");
    return { k: "call", type: t, fn: fn as Intrinsic, args: typed };
  }
}

const isNumeric = (t: Scalar): boolean => t !== "bool";

/** The `//` comment lines directly above a node, without the slashes (a blank line ends the block). */
function commentsOf(n: Node): string[] {
  const out: string[] = [];
  for (const r of n.getLeadingCommentRanges()) {
    const text = r.getText();
    if (text.startsWith("//")) out.push(text.slice(2).trim());
    else out.push(...text.replace(/^\/\*+|\*+\/$/g, "").split("\n").map((l) => l.replace(/^\s*\*?\s?/, "").trimEnd()).filter((l) => l.length > 0));
  }
  return out;
}

/** The file's top-level `const NAME = table(type, [numbers])` lookup tables. */
function collectTables(sf: SourceFile, file: string): Map<string, TableDecl> {
  const tables = new Map<string, TableDecl>();
  for (const vs of sf.getVariableStatements()) {
    for (const d of vs.getDeclarations()) {
      const init = d.getInitializer();
      if (!init || !Node.isCallExpression(init) || init.getExpression().getText() !== "table") continue;
      const { line, column } = sf.getLineAndColumnAtPos(d.getStart());
      const loc: Loc = { file, line, col: column };
      const fail = (problem: string, fix: string): never => {
        throw new KernelError(loc, `table ${d.getName()}: ${problem}`, fix);
      };
      const [t, arr, ...rest] = init.getArguments();
      if (vs.getDeclarationKind() !== "const" || !Node.isIdentifier(d.getNameNode())) fail("is not a plain const", "declare it as const NAME = table(i32, [...])");
      if (!t || !["f32", "i32", "u32"].includes(t.getText()) || rest.length) fail(`element type ${t?.getText() ?? "(none)"}`, "write table(i32, [...]), table(u32, [...]) or table(f32, [...])");
      if (!arr || !Node.isArrayLiteralExpression(arr)) return fail("the values are not an array literal", "list the numbers inline: table(i32, [-127, -104, ...])");
      const type = t!.getText() as Scalar;
      const values = arr.getElements().map((e) => {
        let v: number | null = null;
        if (Node.isNumericLiteral(e)) v = e.getLiteralValue();
        else if (Node.isPrefixUnaryExpression(e) && e.getOperatorToken() === SyntaxKind.MinusToken) {
          const o = e.getOperand();
          if (Node.isNumericLiteral(o)) v = -o.getLiteralValue();
        }
        if (v === null) return fail(`element \`${e.getText()}\` is not a number literal`, "tables hold number literals only");
        const ok = type === "f32" ? Number.isFinite(v) : Number.isInteger(v) && (type === "u32" ? v >= 0 && v <= 0xffffffff : v >= -0x80000000 && v <= 0x7fffffff);
        if (!ok) fail(`element ${e.getText()} is not a ${type}`, `write ${type} values`);
        return type === "f32" ? Math.fround(v) : v;
      });
      if (values.length === 0 || values.length > MAX_TABLE_VALUES) fail(`has ${values.length} values`, `a table holds 1 to ${MAX_TABLE_VALUES} values`);
      tables.set(d.getName(), { name: d.getName(), type, values, loc });
    }
  }
  return tables;
}

let project: Project | null = null;

/** Parses the kernels of one source text. `file` is the name diagnostics and headers show. */
export function parseKernelSource(text: string, file: string): KernelIR[] {
  project ??= new Project({ useInMemoryFileSystem: true, compilerOptions: { noLib: true } });
  const sf = project.createSourceFile(`/k/${file.replace(/[\\/]/g, "_")}`, text, { overwrite: true });
  try {
    const tables = collectTables(sf, file);
    const helpers = new Map<string, FunctionDeclaration>();
    for (const f of sf.getFunctions()) {
      const name = f.getName();
      if (!name) continue;
      if (KNOWN_CALLS.includes(name) || SCALAR_NAMES.includes(name)) {
        const { line, column } = sf.getLineAndColumnAtPos(f.getStart());
        throw new KernelError({ file, line, col: column }, `helper function ${name} has the name of a DSL intrinsic`, "rename the helper");
      }
      helpers.set(name, f);
    }
    const kernels: KernelIR[] = [];
    for (const vs of sf.getVariableStatements()) {
      for (const d of vs.getDeclarations()) {
        const init = d.getInitializer();
        if (init && Node.isCallExpression(init) && init.getExpression().getText() === "kernel") {
          kernels.push(new KernelBuilder(file, sf, tables, helpers).build(d, init));
        }
      }
    }
    const seen = new Map<string, number>();
    for (const k of kernels) {
      const prev = seen.get(k.name);
      if (prev !== undefined) throw new KernelError(k.loc, `kernel name ${k.name} is already used at line ${prev}`, "give each kernel its own name");
      seen.set(k.name, k.loc.line);
    }
    return kernels;
  } finally {
    project.removeSourceFile(sf);
  }
}

/** Parses a kernel file; diagnostics name it relative to `root` (the repository root by default). */
export function parseKernelFile(path: string, root: string = process.cwd()): KernelIR[] {
  const abs = resolve(path);
  return parseKernelSource(readFileSync(abs, "utf8"), relative(root, abs).split("\\").join("/"));
}
