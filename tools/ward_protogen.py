#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Turn a Ward IPC protocol description into C headers.

    ward_protogen.py NAME.protocol NAME.h NAME_server.h

NAME.h is the client's: labels, the protocol's own error codes, and one
static inline stub per operation. NAME_server.h is the server's: a handler
prototype per operation (the server defines them), a decoder per operation
that unpacks and checks the arguments, the dispatch table
(struct ward_protocol, libs/ipc/include/ward/protocol.h), and NAME_dispatch(),
the same dispatch as a switch that calls the decoders directly. The format is
described in docs/ipc-protocols.md; in short:

    protocol demo
    error NOT_SUBSCRIBED 0x100 nothing is subscribed yet
    op 1 add (a, b) -> (sum)
        doc Adds two numbers.
        error RANGE the sum does not fit in 64 bits
    op 2 sum (count, values[count]) -> (total)
    op 3 subscribe () cap notification:notification -> ()
"""

import os
import re
import sys

MAX_LENGTH = 120  # WARD_MSG_MAX_LENGTH (include/ward/message.h)
MAX_TABLE = 256  # labels span at most this many table rows
CAP_TYPES = ["untyped", "tcb", "endpoint", "notification", "cnode", "frame", "large_frame",
             "irq_handler", "ioport", "badge"]  # badge: a cap of this endpoint, unwrapped
IDENT = r"[a-z_][a-z0-9_]*"
RESERVED = {"rq", "ep", "in", "out", "err", "mr"}  # names the generated code uses itself
OP_RE = re.compile(r"op\s+(\S+)\s+(" + IDENT + r")\s*\(([^)]*)\)\s*"
                   r"(?:cap\s+(" + IDENT + r")(?::(" + IDENT + r"))?\s*)?"
                   r"->\s*\(([^)]*)\)\s*$")
ARRAY_RE = re.compile(r"(" + IDENT + r")\[(" + IDENT + r")\]$")


class ProtocolError(Exception):
    pass


def ward_errors():
    """The names of enum ward_error (RANGE, ...), read from include/ward/errors.h."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "include", "ward", "errors.h")) as f:
        return set(re.findall(r"WARD_ERR_([A-Z_]+)\s*=", f.read()))


def split_names(text):
    return [n.strip() for n in text.split(",") if n.strip()]


def parse_args(text, where):
    """Scalar arguments, then at most one trailing array sized by an earlier scalar."""
    scalars, array = [], None
    for name in split_names(text):
        m = ARRAY_RE.match(name)
        if array is not None:
            raise ProtocolError(f"{where}: the array must be the last argument")
        if m:
            if m.group(2) not in scalars:
                raise ProtocolError(
                    f"{where}: array size '{m.group(2)}' is not an earlier argument")
            array = (m.group(1), m.group(2))
        elif re.fullmatch(IDENT, name):
            scalars.append(name)
        else:
            raise ProtocolError(f"{where}: bad argument '{name}'")
    return scalars, array


def parse_op(m, where):
    try:
        label = int(m.group(1), 0)
    except ValueError:
        raise ProtocolError(f"{where}: bad label '{m.group(1)}'")
    scalars, array = parse_args(m.group(3), where)
    results = split_names(m.group(6))
    cap = None
    if m.group(4):
        cap = (m.group(4), m.group(5) or m.group(4))
        if cap[1] not in CAP_TYPES:
            raise ProtocolError(f"{where}: unknown capability type '{cap[1]}'")
    names = scalars + ([array[0]] if array else []) + ([cap[0]] if cap else []) + results
    if any(not re.fullmatch(IDENT, n) for n in results):
        raise ProtocolError(f"{where}: bad result name")
    if len(set(names)) != len(names) or RESERVED & set(names):
        raise ProtocolError(f"{where}: names must be distinct and not one of the stubs' own "
                            f"({', '.join(sorted(RESERVED))})")
    if len(scalars) + (1 if array else 0) > MAX_LENGTH or len(results) > MAX_LENGTH:
        raise ProtocolError(f"{where}: more than {MAX_LENGTH} message registers")
    if label < 1 or label >= 1 << 52:
        raise ProtocolError(f"{where}: labels are 1 .. 2^52-1 (0 is never a request)")
    return {"label": label, "name": m.group(2), "args": scalars, "array": array, "cap": cap,
            "results": results, "doc": [], "errors": [], "where": where}


def parse(lines, path):
    proto = {"name": None, "errors": [], "ops": []}
    generic = ward_errors()
    for n, raw in enumerate(lines, 1):
        where = f"{path}:{n}"
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        word, rest = (line.split(None, 1) + [""])[:2]
        indented = line[0] in " \t"
        if word == "protocol" and not indented:
            if proto["name"] or not re.fullmatch(IDENT, rest):
                raise ProtocolError(f"{where}: one 'protocol NAME' line")
            proto["name"] = rest
        elif word == "error" and not indented:
            m = re.fullmatch(r"([A-Z][A-Z0-9_]*)\s+(\S+)\s*(.*)", rest)
            if not m:
                raise ProtocolError(f"{where}: expected 'error NAME CODE description'")
            code = int(m.group(2), 0)
            if code < 0x100 or code >= 1 << 52 or m.group(1) in generic:
                raise ProtocolError(f"{where}: protocol errors are new names, 0x100 and up")
            proto["errors"].append((m.group(1), code, m.group(3)))
        elif word == "op" and not indented:
            m = OP_RE.match(line.strip())
            if not m:
                raise ProtocolError(
                    f"{where}: expected 'op LABEL name (args) [cap name:type] -> (results)'")
            proto["ops"].append(parse_op(m, where))
        elif word == "doc" and indented and proto["ops"]:
            proto["ops"][-1]["doc"].append(rest)
        elif word == "error" and indented and proto["ops"]:
            name, why = (rest.split(None, 1) + [""])[:2]
            own = [e[0] for e in proto["errors"]]
            if name not in generic and name not in own:
                raise ProtocolError(f"{where}: unknown error '{name}'")
            proto["ops"][-1]["errors"].append((name, why.strip()))
        else:
            raise ProtocolError(f"{where}: cannot parse '{line.strip()}'")
    check(proto, path)
    return proto


def check(proto, path):
    if not proto["name"] or not proto["ops"]:
        raise ProtocolError(f"{path}: needs a 'protocol' line and at least one 'op'")
    labels = [op["label"] for op in proto["ops"]]
    names = [op["name"] for op in proto["ops"]]
    codes = [e[1] for e in proto["errors"]]
    if len(set(labels)) != len(labels) or len(set(names)) != len(names):
        raise ProtocolError(f"{path}: operation labels and names must be distinct")
    if len(set(codes)) != len(codes):
        raise ProtocolError(f"{path}: error codes must be distinct")
    if max(labels) - min(labels) >= MAX_TABLE:
        raise ProtocolError(f"{path}: labels span more than {MAX_TABLE}: the table would be sparse")


def upper(proto, *parts):
    return "_".join([proto["name"].upper()] + [p.upper() for p in parts])


def error_const(proto, name):
    own = [e[0] for e in proto["errors"]]
    return upper(proto, "ERR", name) if name in own else f"WARD_ERR_{name}"


def op_errors(proto, op):
    """Every error the operation can return, generated checks included."""
    own = {e[0]: e[2] for e in proto["errors"]}
    errs = [(error_const(proto, n), why or own.get(n, "")) for n, why in op["errors"]]
    if op["array"]:
        errs.append(("WARD_ERR_RANGE", f"{op['array'][1]} exceeds what a message can carry"))
    if op["args"]:
        errs.append(("WARD_ERR_TRUNCATED_MESSAGE", "fewer message registers than the arguments"))
    if op["cap"] and op["cap"][1] == "badge":
        errs.append(("WARD_ERR_INVALID_CAPABILITY",
                     "extra cap 0 is not a cap to this server's endpoint, or more caps"))
    elif op["cap"]:
        errs.append(("WARD_ERR_INVALID_CAPABILITY",
                     f"no {op['cap'][1]} capability arrived, or another kind, or more caps"))
    else:
        errs.append(("WARD_ERR_INVALID_CAPABILITY", "the request carried a capability"))
    return errs


def op_comment(proto, op):
    regs = [f"MR{i} {a}" for i, a in enumerate(op["args"])]
    if op["array"]:
        regs.append(f"MR{len(op['args'])}.. {op['array'][0]}[{op['array'][1]}]")
    out = ["/*", f" * {op['name'].upper()} (label {op['label']})" +
           (": " + " ".join(op["doc"]) if op["doc"] else "")]
    out.append(" *   request: " + (", ".join(regs) if regs else "no message registers"))
    if op["cap"]:
        out.append(f" *            extra cap 0: {op['cap'][0]} ({op['cap'][1]})")
    res = [f"MR{i} {r}" for i, r in enumerate(op["results"])]
    out.append(" *   reply:   " + (", ".join(res) if res else "no message registers"))
    out.append(" *   errors:")
    for const, why in op_errors(proto, op):
        out.append(f" *     {const}" + (f": {why}" if why else ""))
    out.append(" */")
    return out


def client_stub(proto, op):
    params = ["uint64_t ep"] + [f"uint64_t {a}" for a in op["args"]]
    if op["array"]:
        params.append(f"const uint64_t *{op['array'][0]}")
    if op["cap"]:
        params.append(f"uint64_t {op['cap'][0]}")
    params += [f"uint64_t *{r}" for r in op["results"]]
    n_in, n_out = len(op["args"]), len(op["results"])
    if not op["array"] and n_in <= 4 and n_out <= 4:
        return register_stub(proto, op, params)
    body = []
    if n_in:
        body.append(f"\tconst uint64_t in[{n_in}] = {{{', '.join(op['args'])}}};")
    if n_out:
        body.append(f"\tuint64_t out[{n_out}];")
    tail, n_tail = "NULL", "0"
    if op["array"]:
        arr, size = op["array"]
        tail = arr
        n_tail = f"{size} < WARD_MSG_MAX_LENGTH ? (unsigned){size} : WARD_MSG_MAX_LENGTH"
    call = (f"ward_rpc_call(ep, {upper(proto, op['name'])}, {n_in}, {'in' if n_in else 'NULL'}, "
            f"{n_tail}, {tail}, {op['cap'][0] if op['cap'] else '0'}, {n_out}, "
            f"{'out' if n_out else 'NULL'})")
    body.append(f"\tenum ward_error err = {call};")
    body.append("")
    if n_out:
        body.append("\tif (err == WARD_OK) {")
        body += [f"\t\t*{r} = out[{i}];" for i, r in enumerate(op["results"])]
        body.append("\t}")
    body.append("\treturn err;")
    sig = f"static inline enum ward_error {proto['name']}_{op['name']}({', '.join(params)})"
    return [sig, "{"] + body + ["}"]


def register_stub(proto, op, params):
    """A stub whose arguments and results all travel in the four register MRs (and a cap)."""
    n_in, n_out = len(op["args"]), len(op["results"])
    mr = op["args"] + ["0"] * (4 - n_in)
    body = [f"\tuint64_t mr[WARD_MSG_REGISTERS] = {{{', '.join(mr)}}};"]
    if op["cap"]:
        body.append(f"\tenum ward_error err = ward_rpc_call_regs_cap(ep, "
                    f"{upper(proto, op['name'])}, {n_in}, mr, {op['cap'][0]}, {n_out});")
    else:
        body.append(f"\tenum ward_error err = ward_rpc_call_regs(ep, {upper(proto, op['name'])}, "
                    f"{n_in}, mr, {n_out});")
    body.append("")
    if n_out:
        body.append("\tif (err == WARD_OK) {")
        body += [f"\t\t*{r} = mr[{i}];" for i, r in enumerate(op["results"])]
        body.append("\t}")
    body.append("\treturn err;")
    sig = f"static inline enum ward_error {proto['name']}_{op['name']}({', '.join(params)})"
    return [sig, "{"] + body + ["}"]


def client_header(proto, source):
    guard = f"WARD_PROTOCOL_{upper(proto)}_H"
    out = ["/* SPDX-License-Identifier: BSD-2-Clause */",
           f"/* Generated by tools/ward_protogen.py from {source}: edit that file instead. */",
           f"#ifndef {guard}", f"#define {guard}", "", "#include <stddef.h>",
           "#include <stdint.h>", "#include <ward/protocol.h>", "",
           f"enum {proto['name']}_label {{"]
    out += [f"\t{upper(proto, op['name'])} = {op['label']}," for op in proto["ops"]]
    out += ["};", ""]
    for name, code, why in proto["errors"]:
        out.append(f"#define {upper(proto, 'ERR', name)} ((enum ward_error){code:#x}) /* {why} */")
    for op in proto["ops"]:
        out += [""] + op_comment(proto, op) + client_stub(proto, op)
    return out + ["", "#endif"]


def handler_params(op):
    params = ["struct ward_request *rq"] + [f"uint64_t {a}" for a in op["args"]]
    if op["array"]:
        params.append(f"const uint64_t *{op['array'][0]}")
    if op["cap"]:
        params.append(f"uint64_t {op['cap'][0]}")
    return params + [f"uint64_t *{r}" for r in op["results"]]


def decoder(proto, op):
    args = ["rq"] + [f"rq->mr[{i}]" for i in range(len(op["args"]))]
    body = []
    if op["array"]:
        at, size = len(op["args"]), op["args"].index(op["array"][1])
        limit = f"WARD_MSG_MAX_LENGTH - {at}"
        body += [f"\tif (rq->mr[{size}] > {limit})",
                 f"\t\treturn ward_fail(rq, WARD_ERR_RANGE, {size}, 0, {limit});",
                 f"\tif (rq->length - {at} < rq->mr[{size}])",
                 f"\t\treturn ward_fail(rq, WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH, "
                 f"{at} + rq->mr[{size}],", "\t\t                 WARD_MSG_MAX_LENGTH);"]
        args.append(f"&rq->mr[{at}]")
    if op["cap"]:
        args.append("rq->cap_badge" if op["cap"][1] == "badge" else "rq->cap")
    args += [f"&rq->reply->mr[{i}]" for i in range(len(op["results"]))]
    body += [f"\tenum ward_error err = {proto['name']}_serve_{op['name']}({', '.join(args)});", "",
             "\tif (err == WARD_OK)", f"\t\trq->reply->length = {len(op['results'])};",
             "\treturn err;"]
    return [f"static enum ward_error {proto['name']}_decode_{op['name']}(struct ward_request *rq)",
            "{"] + body + ["}"]


def server_header(proto, source, client_name):
    guard = f"WARD_PROTOCOL_{upper(proto)}_SERVER_H"
    first = min(op["label"] for op in proto["ops"])
    count = max(op["label"] for op in proto["ops"]) - first + 1
    out = ["/* SPDX-License-Identifier: BSD-2-Clause */",
           f"/* Generated by tools/ward_protogen.py from {source}: edit that file instead. */",
           f"#ifndef {guard}", f"#define {guard}", "", f'#include "{client_name}"', "",
           "/*",
           " * The server defines one handler per operation. Each is called only",
           " * after its request passed the generic checks (label, length, caps) and",
           " * its decoder's; results go to the pointers, which the reply carries",
           " * when the handler returns WARD_OK.",
           " */"]
    for op in proto["ops"]:
        out.append(f"enum ward_error {proto['name']}_serve_{op['name']}"
                   f"({', '.join(handler_params(op))});")
    for op in proto["ops"]:
        out += [""] + decoder(proto, op)
    out += ["", f"static const struct ward_op {proto['name']}_ops[{count}] = {{"]
    for op in sorted(proto["ops"], key=lambda o: o["label"]):
        cap = "WARD_OBJ_NULL"
        if op["cap"]:
            cap = ("WARD_CAP_UNWRAPPED" if op["cap"][1] == "badge"
                   else f"WARD_OBJ_{op['cap'][1].upper()}")
        out.append(f"\t[{upper(proto, op['name'])} - {first}] = {{.handler = "
                   f"{proto['name']}_decode_{op['name']}, .min_length = {len(op['args'])}, "
                   f".cap_type = {cap}}},")
    out += ["};", "",
            f"static const struct ward_protocol {proto['name']}_protocol = {{",
            f"\t.name = \"{proto['name']}\",", f"\t.first_label = {first},",
            f"\t.count = {count},", f"\t.ops = {proto['name']}_ops,", "};", ""]
    return out + switch_dispatch(proto) + ["", "#endif"]


def switch_dispatch(proto):
    """NAME_dispatch(): ward_dispatch() as a switch that calls the decoders directly."""
    name = proto["name"]
    out = ["/*",
           " * ward_dispatch() through a switch: a request that sends no capability,",
           " * for an operation that takes none, with at least the operation's length,",
           " * goes straight to its decoder, inline here; anything else takes",
           " * ward_dispatch()'s checks and table.",
           " */",
           f"static inline uint64_t {name}_dispatch(struct ward_request *rq)",
           "{",
           "\tif ((rq->caps | rq->unwrapped) != 0)",
           f"\t\treturn ward_dispatch(&{name}_protocol, rq);",
           "\trq->reply->length = 0;",
           "\tswitch (rq->label) {"]
    for op in sorted(proto["ops"], key=lambda o: o["label"]):
        if op["cap"]:
            continue
        call = f"return ward_dispatch_done(rq, {name}_decode_{op['name']}(rq));"
        out.append(f"\tcase {upper(proto, op['name'])}:")
        if op["args"]:
            out += [f"\t\tif (rq->length >= {len(op['args'])})", f"\t\t\t{call}", "\t\tbreak;"]
        else:
            out.append(f"\t\t{call}")
    out += ["\tdefault:", "\t\tbreak;", "\t}", f"\treturn ward_dispatch(&{name}_protocol, rq);",
            "}"]
    return out


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source, client_out, server_out = argv[1:]
    try:
        with open(source) as f:
            proto = parse(f.read().splitlines(), os.path.basename(source))
    except (OSError, ProtocolError, ValueError) as e:
        print(f"ward_protogen: {e}", file=sys.stderr)
        return 1
    shown = os.path.basename(source)
    with open(client_out, "w") as f:
        f.write("\n".join(client_header(proto, shown)) + "\n")
    with open(server_out, "w") as f:
        f.write("\n".join(server_header(proto, shown, os.path.basename(client_out))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
