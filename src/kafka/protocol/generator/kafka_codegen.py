#!/usr/bin/env python3
# kafka_codegen.py (python3 stdlib only, run by CMake): Kafka message codecs from Kafka's own JSON.
# Inputs:  --input-dir with Kafka's <Name>.json (JSON with // comments) and the message names to
#          generate; --namespace/--include-dir only for the tests' made-up messages.
# Outputs: into --output-dir in the build tree (never committed; files rewritten only on change):
#          <snake_name>.h/.cc per message (struct + encode/decode), api_keys.h/.cc (API table,
#          header versions, api_name), all.h (all headers, type list), test_samples.h/.cc (tests).
# Naming:  snake_case (MetadataRequest -> metadata_request, TopicName -> topic_name); struct types
#          and commonStructs nest in their message (metadata_request::metadata_request_topic);
#          keyword/reserved member names get '_', a struct type named like a member gets '_data'.

import argparse
import json
import os
import re
import sys

MAXV = 0x7FFF
NS = "tributary::kafka::protocol"  # --namespace
INC = "kafka/protocol/messages"  # --include-dir: how generated files include each other

CPP_KEYWORDS = set("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq std
""".split())
# Names the generated code declares inside every message struct.
RESERVED_TOP = {"encode", "decode", "api_key", "min_version", "max_version", "flexible_from",
                "message_name", "writer", "reader", "decode_result"}

SCALARS = {
    # kafka type: (c++ type, reader/writer method, wire size)
    "int8": ("std::int8_t", "int8", 1),
    "int16": ("std::int16_t", "int16", 2),
    "uint16": ("std::uint16_t", "uint16", 2),
    "int32": ("std::int32_t", "int32", 4),
    "uint32": ("std::uint32_t", "uint32", 4),
    "int64": ("std::int64_t", "int64", 8),
    "float64": ("double", "float64", 8),
    "bool": ("bool", "boolean", 1),
    "uuid": ("::tributary::kafka::protocol::uuid", "uuid", 16),
}
INT_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
    "uint16": (0, (1 << 16) - 1), "int32": (-(1 << 31), (1 << 31) - 1),
    "uint32": (0, (1 << 32) - 1), "int64": (-(1 << 63), (1 << 63) - 1),
}


class GenError(Exception):
    pass


# ---- input ---------------------------------------------------------------------------------------

def strip_comments(text):
    """Removes // comments outside JSON strings."""
    out = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def snake(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


class VR:
    """An inclusive version range; empty when lo > hi."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @staticmethod
    def parse(s):
        s = str(s).strip()
        if s == "none":
            return VR(1, 0)
        if s.endswith("+"):
            return VR(int(s[:-1]), MAXV)
        if "-" in s:
            a, b = s.split("-")
            return VR(int(a), int(b))
        return VR(int(s), int(s))

    def empty(self):
        return self.lo > self.hi

    def __and__(self, o):
        return VR(max(self.lo, o.lo), min(self.hi, o.hi))

    def hull(self, o):
        if self.empty():
            return o
        if o.empty():
            return self
        return VR(min(self.lo, o.lo), max(self.hi, o.hi))

    def contains(self, v):
        return self.lo <= v <= self.hi

    def covers(self, o):
        return o.empty() or (not self.empty() and self.lo <= o.lo and o.hi <= self.hi)

    def __str__(self):
        if self.empty():
            return "none"
        if self.hi == MAXV:
            return "v%d+" % self.lo
        if self.lo == self.hi:
            return "v%d" % self.lo
        return "v%d-%d" % (self.lo, self.hi)


def cond(r, ctx):
    """C++ condition on `version` for range r, given code that only runs for versions in ctx.
    None = always true."""
    r = r & ctx
    if r.empty():
        return "false"
    parts = []
    if r.lo > ctx.lo:
        parts.append("version >= %d" % r.lo)
    if r.hi < ctx.hi:
        parts.append("version <= %d" % r.hi)
    return " && ".join(parts) if parts else None


def cond_expr(r, ctx):
    c = cond(r, ctx)
    if c is None:
        return "true"
    return c if " " not in c else "(%s)" % c


class Type:
    def __init__(self, spec):
        self.spec = spec
        self.is_array = spec.startswith("[]")
        base = spec[2:] if self.is_array else spec
        self.base = base
        self.is_struct = base[:1].isupper()
        if not self.is_struct and base not in SCALARS and base not in ("string", "bytes", "records"):
            raise GenError("unsupported type %r" % spec)
        if self.is_array and base == "records":
            raise GenError("arrays of records are not supported")


class Field:
    def __init__(self, js, ctx):
        self.js = js
        self.name = js["name"]
        self.type = Type(js["type"])
        self.versions = VR.parse(js.get("versions", "none"))
        self.nullable = VR.parse(js.get("nullableVersions", "none"))
        self.tag = int(js["tag"]) if "tag" in js else None  # some files quote it
        self.tagged = VR.parse(js["taggedVersions"]) if "taggedVersions" in js else VR(1, 0)
        if (self.tag is None) != ("taggedVersions" not in js):
            raise GenError("field %s: tag and taggedVersions go together" % self.name)
        self.flex_override = VR.parse(js["flexibleVersions"]) if "flexibleVersions" in js else None
        self.default = js.get("default")
        self.about = js.get("about", "")
        self.ctx = ctx  # versions in which the enclosing struct can exist
        self.struct = None  # Struct, for struct and array-of-struct types
        self.cname = None
        if not self.nullable.empty():
            if self.type.is_struct and not self.type.is_array:
                raise GenError("field %s: nullable struct fields are not supported" % self.name)
            if not self.type.is_array and self.type.base not in ("string", "bytes", "records"):
                raise GenError("field %s: only strings, bytes, records and arrays can be nullable" % self.name)

    @property
    def optional(self):
        return not self.nullable.empty() or (self.type.base == "records" and not self.type.is_array)

    def present(self):
        """Versions in which the field is in the fixed layout."""
        r = self.versions & self.ctx
        if self.tag is not None:
            # Tagged in taggedVersions (always open-ended); fixed in the versions before, if any.
            r = r & VR(0, self.tagged.lo - 1)
        return r

    def tagged_in(self):
        if self.tag is None:
            return VR(1, 0)
        return self.tagged & self.versions & self.ctx


class Struct:
    def __init__(self, name, fields_js, msg, ctx):
        self.name = name
        self.msg = msg
        self.ctx = ctx
        self.cname = None
        self.fields = []
        for fj in fields_js:
            f = Field(fj, ctx)
            self.fields.append(f)


class Message:
    def __init__(self, js):
        self.js = js
        self.name = js["name"]
        self.kind = js.get("type", "data")
        self.api_key = js.get("apiKey", -1)
        self.valid = VR.parse(js["validVersions"])
        self.flexible = VR.parse(js.get("flexibleVersions", "none"))
        self.cname = snake(self.name)
        self.structs = {}  # JSON name -> Struct
        self.order = []  # structs in declaration order (dependencies first)
        common = {c["name"]: c for c in js.get("commonStructs", [])}
        self.top = Struct(self.name, js.get("fields", []), self, self.valid)
        self._resolve(self.top, common)
        self._name_things()

    def _resolve(self, struct, common):
        for f in struct.fields:
            if not f.type.is_struct:
                if "fields" in f.js:
                    raise GenError("%s.%s: fields on a non-struct type" % (struct.name, f.name))
                continue
            tname = f.type.base
            sub_ctx = f.versions & struct.ctx
            if "fields" in f.js:
                if tname in self.structs:
                    raise GenError("%s: struct %s defined twice" % (self.name, tname))
                if tname in common:
                    raise GenError("%s: struct %s shadows a common struct" % (self.name, tname))
                s = Struct(tname, f.js["fields"], self, sub_ctx)
                self.structs[tname] = s
                self._resolve(s, common)
                self.order.append(s)
            elif tname in self.structs:
                s = self.structs[tname]
                s.ctx = s.ctx.hull(sub_ctx)
                self._widen(s)
            elif tname in common:
                s = Struct(tname, common[tname]["fields"], self, sub_ctx)
                self.structs[tname] = s
                self._resolve(s, common)
                self.order.append(s)
            else:
                raise GenError("%s: unknown struct type %s" % (self.name, tname))
            f.struct = s

    def _widen(self, s):
        for f in s.fields:
            f.ctx = s.ctx
            if f.struct is not None:
                f.struct.ctx = f.struct.ctx.hull(f.versions & s.ctx)
                self._widen(f.struct)

    def all_structs(self):
        return self.order + [self.top]

    def _name_things(self):
        members = set()
        for s in self.all_structs():
            seen = set()
            for f in s.fields:
                c = snake(f.name)
                if c in CPP_KEYWORDS or (s is self.top and c in RESERVED_TOP):
                    c += "_"
                if c in seen:
                    raise GenError("%s.%s: two fields map to %s" % (s.name, f.name, c))
                seen.add(c)
                f.cname = c
                members.add(c)
        self.top.cname = self.cname
        taken = set(members) | {self.cname}
        for s in self.order:
            c = snake(s.name)
            if c in CPP_KEYWORDS:
                c += "_"
            while c in taken:
                c += "_data"
            taken.add(c)
            s.cname = c

    def qualified(self, s):
        return self.cname if s is self.top else "%s::%s" % (self.cname, s.cname)

    def flexible_expr(self, ctx):
        f = self.flexible & ctx
        if f.empty():
            return "false"
        if f.covers(ctx):
            return "true"
        return "version >= %d" % self.flexible.lo

    def can_be_flexible(self, ctx):
        return not (self.flexible & ctx).empty()


# ---- C++ types and defaults ------------------------------------------------------------------------

def elem_cpp(t, msg):
    if t.is_struct:
        return msg.structs[t.base].cname
    if t.base in SCALARS:
        return SCALARS[t.base][0]
    return "std::string"  # string, bytes


def field_cpp(f, msg):
    t = f.type
    if t.is_array:
        base = "std::vector<%s>" % elem_cpp(t, msg)
    elif t.is_struct:
        base = f.struct.cname
    else:
        base = elem_cpp(t, msg)
    return "std::optional<%s>" % base if f.optional else base


def cpp_string_literal(s):
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            for b in ch.encode("utf-8"):
                out.append("\\x%02x" % b)
            out.append('""')
    out.append('"')
    return "".join(out)


def int_literal(kind, v):
    lo, hi = INT_RANGES[kind]
    if not lo <= v <= hi:
        raise GenError("default %d out of range for %s" % (v, kind))
    ctype = SCALARS[kind][0]
    if v == lo and lo < 0:
        return "std::numeric_limits<%s>::min()" % ctype
    if kind == "int64" and not -(1 << 31) < v < (1 << 31):
        return "%dLL" % v
    if kind == "uint32" and v >= (1 << 31):
        return "%dU" % v
    return str(v)


def parse_int_default(f):
    d = f.default
    if d is None or d == "":
        return 0
    if isinstance(d, bool):
        raise GenError("field %s: bad default %r" % (f.name, d))
    if isinstance(d, int):
        return d
    return int(str(d), 0)


def default_init(f, msg):
    """The member initializer (without '= '), or None for a value-initialized default."""
    t = f.type
    d = f.default
    if t.is_array:
        if d == "null":
            if not f.optional:
                raise GenError("field %s: null default on a non-nullable array" % f.name)
            return "std::nullopt"
        if d not in (None, ""):
            raise GenError("field %s: arrays only take a null default" % f.name)
        return field_cpp(f, msg)[len("std::optional<"):-1] + "()" if f.optional else None
    if t.is_struct:
        if d is not None:
            raise GenError("field %s: struct fields take no default" % f.name)
        return None
    b = t.base
    if b in INT_RANGES:
        v = parse_int_default(f)
        return int_literal(b, v)
    if b == "bool":
        if d in (None, "", "false", False):
            return "false"
        if d in ("true", True):
            return "true"
        raise GenError("field %s: bad bool default %r" % (f.name, d))
    if b == "float64":
        return repr(float(d)) if d not in (None, "") else "0.0"
    if b == "uuid":
        if d not in (None, "", "AAAAAAAAAAAAAAAAAAAAAA"):
            raise GenError("field %s: only the zero uuid is supported as a default" % f.name)
        return "{}"
    if b == "records":
        if d not in (None, "null"):
            raise GenError("field %s: records take no default" % f.name)
        return "std::nullopt"
    # string, bytes
    if d == "null":
        if not f.optional:
            raise GenError("field %s: null default on a non-nullable field" % f.name)
        return "std::nullopt"
    if b == "bytes" and d not in (None, ""):
        raise GenError("field %s: bytes take no default but null" % f.name)
    s = d if isinstance(d, str) else ""
    if f.optional:
        return "std::string(%s)" % (cpp_string_literal(s) if s else "")
    return cpp_string_literal(s) if s else None


# ---- emission helpers ------------------------------------------------------------------------------

class Out:
    def __init__(self):
        self.lines = []
        self.ind = 0

    def __call__(self, line=""):
        self.lines.append(("  " * self.ind + line) if line else "")

    def block(self, head):
        self(head + " {")
        self.ind += 1

    def end(self, tail="}"):
        self.ind -= 1
        self(tail)

    def text(self):
        return "\n".join(self.lines) + "\n"


def min_wire_size(t, compact_min):
    """Smallest encoding of one element of type t (compact_min: the smallest form may be compact)."""
    if t.base in SCALARS:
        return SCALARS[t.base][2]
    if t.base == "string":
        return 1 if compact_min else 2
    return 1 if compact_min else 4  # bytes


def struct_min_size(msg, s, version, memo):
    key = (s.name, version)
    if key in memo:
        return memo[key]
    flexible = msg.flexible.contains(version)
    total = 1 if flexible else 0
    for f in s.fields:
        if not f.present().contains(version):
            continue
        compact = flexible if f.flex_override is None else f.flex_override.contains(version)
        t = f.type
        if t.is_array:
            total += 1 if compact else 4
        elif t.is_struct:
            total += struct_min_size(msg, f.struct, version, memo)
        elif t.base == "records":
            total += 1 if compact else 4
        else:
            total += min_wire_size(t, compact)
    memo[key] = total
    return total


def struct_min_any(msg, s):
    memo = {}
    ctx = s.ctx & msg.valid
    if ctx.empty():
        return 1
    return max(1, min(struct_min_size(msg, s, v, memo) for v in range(ctx.lo, ctx.hi + 1)))


def field_label(s, f):
    return "%s.%s" % (s.cname, f.cname)


class CodecWriter:
    """Emits the encode/decode bodies of one message."""

    def __init__(self, msg):
        self.msg = msg
        self.o = Out()

    # -- encode --
    def enc_value(self, o, f, t, val, compact, w, nullable_cond, label):
        """Writes value `val` of field f (type t) with writer w."""
        if t.is_array:
            def write_vec(vec):
                if vec.startswith("*"):
                    vec = "(%s)" % vec
                o("%s.array_length(%s.size(), %s);" % (w, vec, compact))
                o.block("for (const auto& e : %s)" % vec)
                self.enc_elem(o, t, "e", compact, w)
                o.end()
            self.enc_nullable(o, f, val, w, nullable_cond, label, write_vec,
                              lambda: o("%s.null_array(%s);" % (w, compact)))
        elif t.is_struct:
            o("write_struct(%s, version, %s);" % (w, val))
        elif t.base in SCALARS:
            o("%s.%s(%s);" % (w, SCALARS[t.base][1], val))
        else:
            kind = "string" if t.base == "string" else "bytes"
            self.enc_nullable(o, f, val, w, nullable_cond, label,
                              lambda v: o("%s.%s(%s, %s);" % (w, kind, v, compact)),
                              None, nullable_writer="%s.nullable_%s(%s, %s);" % (w, kind, val, compact))

    def enc_nullable(self, o, f, val, w, nullable_cond, label, write_value, write_null, nullable_writer=None):
        if not f.optional:
            write_value(val)
            return
        fail = '%s.fail(null_field("%s", version));' % (w, label)
        if nullable_cond == "true":
            if nullable_writer:
                o(nullable_writer)
                return
            o.block("if (!%s)" % val)
            write_null()
            o.end("} else {")
            o.ind += 1
            write_value("*" + val)
            o.end()
            return
        if nullable_cond == "false":
            o.block("if (!%s)" % val)
            o(fail)
            o.end("} else {")
            o.ind += 1
            write_value("*" + val)
            o.end()
            return
        o.block("if (!%s)" % val)
        o.block("if %s" % (nullable_cond if nullable_cond.startswith("(") else "(%s)" % nullable_cond))
        if nullable_writer:
            o(nullable_writer)
        else:
            write_null()
        o.end("} else {")
        o.ind += 1
        o(fail)
        o.end()
        o.end("} else {")
        o.ind += 1
        write_value("*" + val)
        o.end()

    def enc_elem(self, o, t, e, compact, w):
        if t.is_struct:
            o("write_struct(%s, version, %s);" % (w, e))
        elif t.base in SCALARS:
            o("%s.%s(%s);" % (w, SCALARS[t.base][1], e))
        elif t.base == "string":
            o("%s.string(%s, %s);" % (w, e, compact))
        else:
            o("%s.bytes(%s, %s);" % (w, e, compact))

    def compact_expr(self, f, ctx):
        if f.flex_override is not None:
            return cond_expr(f.flex_override, ctx)
        return "flexible"

    def emit_encode(self, s):
        msg, o = self.msg, self.o
        ctx = s.ctx & msg.valid
        o.block("void write_struct(writer& w, [[maybe_unused]] std::int16_t version, [[maybe_unused]] const %s& v)" %
                msg.qualified(s))
        flex_possible = msg.can_be_flexible(ctx)
        uses_flexible = flex_possible or any(f.flex_override is None for f in s.fields)
        if uses_flexible:
            o("[[maybe_unused]] const bool flexible = %s;" % msg.flexible_expr(ctx))
        for f in s.fields:
            pres = f.present() & ctx
            c = cond(pres, ctx)
            if c == "false":
                continue
            if c:
                o.block("if (%s)" % c)
            ncond = cond_expr(f.nullable & pres, pres) if f.optional else "false"
            if f.type.base == "records" and f.nullable.empty():
                ncond = "true"
            self.enc_value(o, f, f.type, "v." + f.cname, self.compact_expr(f, pres), "w", ncond, field_label(s, f))
            if c:
                o.end()
        tagged = sorted([f for f in s.fields if not f.tagged_in().empty()], key=lambda f: f.tag)
        if flex_possible:
            o.block("if (flexible)")
            if not tagged:
                o("w.uvarint(0);")
            else:
                o("static const %s defaults{};" % msg.qualified(s))
                o("std::uint32_t tagged = 0;")
                for f in tagged:
                    c = cond(f.tagged_in(), ctx)
                    cexpr = "" if c is None else "(%s) && " % c
                    o("const bool tag_%d = %sv.%s != defaults.%s;" % (f.tag, cexpr, f.cname, f.cname))
                    o("if (tag_%d) ++tagged;" % f.tag)
                o("w.uvarint(tagged);")
                for f in tagged:
                    o.block("if (tag_%d)" % f.tag)
                    o("std::string buffer;")
                    o("writer tw(buffer);")
                    tin = f.tagged_in()
                    ncond = cond_expr(f.nullable & tin, tin) if f.optional else "false"
                    self.enc_value(o, f, f.type, "v." + f.cname, "true", "tw", ncond, field_label(s, f))
                    o("w.tagged_field(%d, tw);" % f.tag)
                    o.end()
            o.end()
        o.end()
        o()

    # -- decode --
    def dec_value(self, o, f, t, target, compact, r, nullable_cond):
        """Reads field f into lvalue `target` from reader r."""
        msg = self.msg
        if t.is_array:
            o("{")
            o.ind += 1
            if t.is_struct:
                minsz = str(struct_min_any(msg, f.struct))
            elif t.base in SCALARS:
                minsz = str(SCALARS[t.base][2])
            else:
                big = 2 if t.base == "string" else 4
                minsz = "1" if compact == "true" else (str(big) if compact == "false" else
                                                       "(%s ? 1 : %d)" % (compact, big))
            ncond = nullable_cond if f.optional else "false"
            o("const std::int32_t n = %s.array_length(%s, %s, %s);" % (r, compact, ncond, minsz))
            if f.optional:
                if ncond != "false":
                    o.block("if (n < 0)")
                    o("%s = std::nullopt;" % target)
                    o.end("} else {")
                    o.ind += 1
                o("auto& out = %s.emplace();" % target)
            else:
                o("auto& out = %s;" % target)
                o("out.clear();")
            if not t.is_struct:
                o("out.reserve(static_cast<std::size_t>(n));")
            o.block("for (std::int32_t i = 0; i < n && %s.ok(); ++i)" % r)
            if t.is_struct:
                o("read_struct(%s, version, out.emplace_back());" % r)
            elif t.base in SCALARS:
                o("out.push_back(%s.%s());" % (r, SCALARS[t.base][1]))
            elif t.base == "string":
                o("out.push_back(%s.string(%s));" % (r, compact))
            else:
                o("out.push_back(%s.bytes(%s));" % (r, compact))
            o.end()
            if f.optional and ncond != "false":
                o.end()
            o.end()
        elif t.is_struct:
            o("read_struct(%s, version, %s);" % (r, target))
        elif t.base in SCALARS:
            o("%s = %s.%s();" % (target, r, SCALARS[t.base][1]))
        else:
            kind = "string" if t.base == "string" else "bytes"
            if not f.optional or nullable_cond == "false":
                o("%s = %s.%s(%s);" % (target, r, kind, compact))
            elif nullable_cond == "true":
                o("%s = %s.nullable_%s(%s);" % (target, r, kind, compact))
            else:
                o("%s = %s ? %s.nullable_%s(%s) : std::optional<std::string>(%s.%s(%s));" %
                  (target, nullable_cond, r, kind, compact, r, kind, compact))

    def emit_decode(self, s):
        msg, o = self.msg, self.o
        ctx = s.ctx & msg.valid
        o.block("void read_struct(reader& r, [[maybe_unused]] std::int16_t version, [[maybe_unused]] %s& v)" %
                msg.qualified(s))
        flex_possible = msg.can_be_flexible(ctx)
        uses_flexible = flex_possible or any(f.flex_override is None for f in s.fields)
        if uses_flexible:
            o("[[maybe_unused]] const bool flexible = %s;" % msg.flexible_expr(ctx))
        for f in s.fields:
            pres = f.present() & ctx
            c = cond(pres, ctx)
            if c == "false":
                continue
            if c:
                o.block("if (%s)" % c)
            o('r.field("%s");' % field_label(s, f))
            ncond = cond_expr(f.nullable & pres, pres) if f.optional else "false"
            if f.type.base == "records" and f.nullable.empty():
                ncond = "true"
            self.dec_value(o, f, f.type, "v." + f.cname, self.compact_expr(f, pres), "r", ncond)
            if c:
                o.end()
        tagged = sorted([f for f in s.fields if not f.tagged_in().empty()], key=lambda f: f.tag)
        if flex_possible:
            o.block("if (flexible)")
            o('r.field("%s.<tagged fields>");' % s.cname)
            o("const std::uint32_t count = r.tagged_field_count();")
            o("std::int64_t previous = -1;")
            o.block("for (std::uint32_t i = 0; i < count && r.ok(); ++i)")
            o("reader::tag_header h{};")
            o("if (!r.next_tag(h, previous)) break;")
            for i, f in enumerate(tagged):
                c = cond(f.tagged_in(), ctx)
                cexpr = "h.tag == %d" % f.tag + ("" if c is None else " && %s" % c)
                if i > 0:
                    o.ind -= 1
                o(("if (%s) {" if i == 0 else "} else if (%s) {") % cexpr)
                o.ind += 1
                o('r.field("%s");' % field_label(s, f))
                o("reader sub = r.sub(h.size);")
                tin = f.tagged_in()
                ncond = cond_expr(f.nullable & tin, tin) if f.optional else "false"
                self.dec_value(o, f, f.type, "v." + f.cname, "true", "sub", ncond)
                o("r.finish_sub(sub);")
            if tagged:
                o.ind -= 1
                o("} else {")
                o.ind += 1
                o("r.skip(h.size);")
                o.end()
            else:
                o("r.skip(h.size);")
            o.end()
            o.end()
        o.end()
        o()


# ---- per-message files -----------------------------------------------------------------------------

GEN_NOTE = "// Generated by src/kafka/protocol/generator/kafka_codegen.py from %s.json. Do not edit."


def describe_field(f, msg):
    bits = [str(f.versions) if not (f.versions & msg.valid).empty() else "no valid version"]
    if not f.nullable.empty():
        bits.append("nullable " + str(f.nullable))
    if f.tag is not None:
        bits.append("tag %d %s" % (f.tag, f.tagged))
    if f.flex_override is not None:
        bits.append("flexible " + str(f.flex_override))
    about = re.sub(r"\s+", " ", f.about).strip()
    return "%s. %s" % (", ".join(bits), about) if about else ", ".join(bits)


def wrap_comment(o, text, width=100):
    words = text.split()
    line = "//"
    for w in words:
        if len(line) + 1 + len(w) + 2 * o.ind > width and line != "//":
            o(line)
            line = "//"
        line += " " + w
    if line != "//":
        o(line)


def emit_struct_decl(o, msg, s):
    for f in s.fields:
        wrap_comment(o, describe_field(f, msg))
        init = default_init(f, msg)
        o("%s %s%s;" % (field_cpp(f, msg), f.cname, (" = " + init) if init else ""))
    o()
    o("bool operator==(const %s&) const = default;" % s.cname)


def gen_header(msg):
    o = Out()
    o(GEN_NOTE % msg.name)
    o("// %s: the message as one struct; encode/decode follow the JSON's per-version rules." % msg.name)
    o("#pragma once")
    o()
    for inc in ("cstdint", "limits", "optional", "string", "string_view", "vector"):
        o("#include <%s>" % inc)
    o()
    o('#include "kafka/protocol/wire.h"')
    o()
    o("namespace %s {" % NS)
    o()
    flex = msg.flexible.lo if not msg.flexible.empty() else -1
    key = "api key %d" % msg.api_key if msg.api_key >= 0 else msg.kind
    o("// %s (%s), versions %d-%d, flexible %s." % (
        msg.name, key, msg.valid.lo, msg.valid.hi, ("from v%d" % flex) if flex >= 0 else "never"))
    o.block("struct %s" % msg.cname)
    o('static constexpr std::string_view message_name = "%s";' % msg.name)
    o("static constexpr std::int16_t api_key = %d;%s" % (msg.api_key, "  // not an API message" if msg.api_key < 0 else ""))
    o("static constexpr std::int16_t min_version = %d;" % msg.valid.lo)
    o("static constexpr std::int16_t max_version = %d;" % msg.valid.hi)
    o("static constexpr std::int16_t flexible_from = %d;%s" % (flex, "  // never flexible" if flex < 0 else ""))
    o()
    for s in msg.order:
        o.block("struct %s" % s.cname)
        emit_struct_decl(o, msg, s)
        o.end("};")
        o()
    emit_struct_decl(o, msg, msg.top)
    o()
    o("// Appends the message body (no size prefix, no header); failures are recorded in the writer.")
    o("void encode(writer& w, std::int16_t version) const;")
    o("// Reads the message body at r's position; r is left after the last byte read.")
    o("static decode_result<%s> decode(reader& r, std::int16_t version);" % msg.cname)
    o.end("};")
    o()
    o("}  // namespace %s" % NS)
    return o.text()


def gen_source(msg):
    cw = CodecWriter(msg)
    o = cw.o
    o(GEN_NOTE % msg.name)
    o('#include "%s/%s.h"' % (INC, msg.cname))
    o()
    o("namespace %s {" % NS)
    o("namespace {")
    o()
    o.block("[[maybe_unused]] std::string null_field(const char* field, std::int16_t version)")
    o('return std::string("%s v") + std::to_string(version) + ": " + field + " is null, which this version does not allow";' % msg.name)
    o.end()
    o()
    for s in msg.all_structs():
        cw.emit_encode(s)
        cw.emit_decode(s)
    o("}  // namespace")
    o()
    o.block("void %s::encode(writer& w, std::int16_t version) const" % msg.cname)
    o.block("if (version < min_version || version > max_version)")
    o('w.fail("%s: unsupported version " + std::to_string(version));' % msg.name)
    o("return;")
    o.end()
    o("write_struct(w, version, *this);")
    o.end()
    o()
    o.block("decode_result<%s> %s::decode(reader& r, std::int16_t version)" % (msg.cname, msg.cname))
    o.block("if (version < min_version || version > max_version)")
    o('return fail(decode_error{decode_errc::unsupported_version, "%s v" + std::to_string(version) + '
      '": unsupported version (valid %d-%d)"});' % (msg.name, msg.valid.lo, msg.valid.hi))
    o.end()
    o("%s m;" % msg.cname)
    o("read_struct(r, version, m);")
    o('if (!r.ok()) return fail(r.error("%s", version));' % msg.name)
    o("return m;")
    o.end()
    o()
    o("}  // namespace %s" % NS)
    return o.text()


# ---- test samples: every field present in a version set to a non-default value --------------------

class SampleWriter:
    def __init__(self, msg):
        self.msg = msg
        self.o = Out()
        self.seed = 0

    def next_int(self, kind, default):
        self.seed += 1
        lo, hi = INT_RANGES[kind]
        v = (self.seed * 7) % 100 + 1
        if v == default:
            v += 1
        return int_literal(kind, max(lo, min(hi, v)))

    def value_expr(self, f, t, label):
        """A C++ expression for a sample element/value of scalar/string/bytes type t."""
        b = t.base
        if b in INT_RANGES:
            d = parse_int_default(f) if not t.is_array else 0
            return "static_cast<%s>(%s)" % (SCALARS[b][0], self.next_int(b, d))
        if b == "bool":
            return "!%s" % (default_init(f, self.msg) if not t.is_array else "false")
        if b == "float64":
            self.seed += 1
            return "%d.5" % self.seed
        if b == "uuid":
            self.seed += 1
            return "sample_uuid(%d)" % self.seed
        if b == "string":
            self.seed += 1
            return "std::string(%s) + std::to_string(version)" % cpp_string_literal("%s-%d-v" % (label, self.seed))
        self.seed += 1
        return 'std::string("\\x00\\xff" "%s", %d)' % (label[:8], 2 + len(label[:8]))

    def fill_field(self, o, f, val, in_ctx):
        t = f.type
        label = f.cname
        nullable = cond_expr(f.nullable & in_ctx, in_ctx) if f.optional else "false"
        if f.optional and nullable != "false":
            o.block("if (nulls)" if nullable == "true" else "if (nulls && %s)" % nullable)
            o("%s = std::nullopt;" % val)
            o.end("} else {")
            o.ind += 1
        if t.is_array:
            elem = self.msg.qualified(f.struct) if t.is_struct else elem_cpp(t, self.msg)
            o("%s = std::vector<%s>(2);" % (val, elem))
            o.block("for (auto& e : %s%s)" % ("*" if f.optional else "", val))
            if t.is_struct:
                o("fill(e, version, nulls);")
            else:
                o("e = %s;" % self.value_expr(f, t, label))
            o.end()
        elif t.is_struct:
            o("fill(%s, version, nulls);" % val)
        else:
            o("%s = %s;" % (val, self.value_expr(f, t, label)))
        if f.optional and nullable != "false":
            o.end()

    def emit_fill(self, s):
        msg, o = self.msg, self.o
        ctx = s.ctx & msg.valid
        o.block("void fill([[maybe_unused]] %s& v, [[maybe_unused]] std::int16_t version, [[maybe_unused]] bool nulls)" %
                msg.qualified(s))
        for f in s.fields:
            r = (f.present() & ctx).hull(f.tagged_in())
            c = cond(r, ctx)
            if c == "false":
                continue
            if c:
                o.block("if (%s)" % c)
            self.fill_field(o, f, "v." + f.cname, r)
            if c:
                o.end()
        o.end()
        o()


def gen_samples(msgs):
    h = Out()
    h("// Generated by src/kafka/protocol/generator/kafka_codegen.py. Do not edit. Test support only:")
    h("// sample_<message>(version, nulls) sets every field present in `version` to a non-default value")
    h("// (or to null where that version allows it, when `nulls`).")
    h("#pragma once")
    h()
    h('#include "%s/all.h"' % INC)
    h()
    h("namespace %s::testing {" % NS)
    h()
    for m in msgs:
        h("%s sample_%s(std::int16_t version, bool nulls);" % (m.cname, m.cname))
    h()
    h("template <typename T>")
    h("T sample(std::int16_t version, bool nulls);")
    for m in msgs:
        h("template <>")
        h("inline %s sample<%s>(std::int16_t version, bool nulls) { return sample_%s(version, nulls); }" %
          (m.cname, m.cname, m.cname))
    h()
    h("}  // namespace %s::testing" % NS)

    c = Out()
    c("// Generated by src/kafka/protocol/generator/kafka_codegen.py. Do not edit.")
    c('#include "%s/test_samples.h"' % INC)
    c()
    c("namespace %s::testing {" % NS)
    c("namespace {")
    c()
    c.block("[[maybe_unused]] uuid sample_uuid(int seed)")
    c("uuid u{};")
    c("for (std::size_t i = 0; i < u.size(); ++i) u[i] = static_cast<std::uint8_t>(seed + static_cast<int>(i));")
    c("return u;")
    c.end()
    c()
    for m in msgs:
        sw = SampleWriter(m)
        for s in m.all_structs():
            sw.emit_fill(s)
        c.lines.extend(sw.o.lines)
    c("}  // namespace")
    c()
    for m in msgs:
        c.block("%s sample_%s(std::int16_t version, bool nulls)" % (m.cname, m.cname))
        c("%s m;" % m.cname)
        c("fill(m, version, nulls);")
        c("return m;")
        c.end()
        c()
    c("}  // namespace %s::testing" % NS)
    return h.text(), c.text()


# ---- API table -------------------------------------------------------------------------------------

def gen_api_keys(msgs):
    by_api = {}
    for m in msgs:
        if m.kind not in ("request", "response"):
            continue
        api = m.name[: -len("Request")] if m.kind == "request" else m.name[: -len("Response")]
        by_api.setdefault(api, {})[m.kind] = m
    rows = []
    for api, pair in by_api.items():
        if set(pair) != {"request", "response"}:
            raise GenError("%s: need both the request and the response" % api)
        rq, rs = pair["request"], pair["response"]
        if rq.api_key != rs.api_key or rq.valid.lo != rs.valid.lo or rq.valid.hi != rs.valid.hi:
            raise GenError("%s: request and response disagree on api key or versions" % api)
        rows.append((rq.api_key, api, rq, rs))
    rows.sort()

    h = Out()
    h("// Generated by src/kafka/protocol/generator/kafka_codegen.py. Do not edit.")
    h("// The APIs this codec knows: key, name, versions, and which header versions frame each version")
    h("// (request header v2 / response header v1 for flexible versions, v1 / v0 otherwise; ApiVersions")
    h("// responses always use response header v0, KIP-511).")
    h("#pragma once")
    h()
    h("#include <cstdint>")
    h("#include <span>")
    h("#include <string_view>")
    h()
    h("namespace %s {" % NS)
    h()
    h.block("struct api_info")
    h("std::int16_t api_key;")
    h("std::string_view name;  // Kafka's name: \"Metadata\", \"ApiVersions\", ...")
    h("std::int16_t min_version;")
    h("std::int16_t max_version;")
    h("std::int16_t request_flexible_from;   // -1: never flexible")
    h("std::int16_t response_flexible_from;  // -1: never flexible")
    h.end("};")
    h()
    h("// Every API with generated request and response structs, by api key.")
    h("std::span<const api_info> known_apis();")
    h("// nullptr when the key is not one of known_apis().")
    h("const api_info* find_api(std::int16_t api_key);")
    h("// \"Unknown\" for keys not in known_apis().")
    h("std::string_view api_name(std::int16_t api_key);")
    h("// -1 when the key is unknown or the version outside its range.")
    h("std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version);")
    h("std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version);")
    h()
    h("}  // namespace %s" % NS)

    c = Out()
    c("// Generated by src/kafka/protocol/generator/kafka_codegen.py. Do not edit.")
    c('#include "%s/api_keys.h"' % INC)
    c()
    c("#include <algorithm>")
    c("#include <array>")
    c()
    c("namespace %s {" % NS)
    c("namespace {")
    c()
    c("constexpr std::array<api_info, %d> apis{{" % len(rows))
    for key, api, rq, rs in rows:
        rqf = rq.flexible.lo if not rq.flexible.empty() else -1
        rsf = rs.flexible.lo if not rs.flexible.empty() else -1
        c('    {%d, "%s", %d, %d, %d, %d},' % (key, api, rq.valid.lo, rq.valid.hi, rqf, rsf))
    c("}};")
    c()
    c("constexpr std::int16_t api_versions_key = 18;")
    c()
    c("}  // namespace")
    c()
    c("std::span<const api_info> known_apis() { return apis; }")
    c()
    c.block("const api_info* find_api(std::int16_t api_key)")
    c("auto it = std::lower_bound(apis.begin(), apis.end(), api_key,")
    c("                           [](const api_info& a, std::int16_t k) { return a.api_key < k; });")
    c("return it != apis.end() && it->api_key == api_key ? &*it : nullptr;")
    c.end()
    c()
    c.block("std::string_view api_name(std::int16_t api_key)")
    c("const api_info* a = find_api(api_key);")
    c('return a ? a->name : std::string_view("Unknown");')
    c.end()
    c()
    c.block("std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version)")
    c("const api_info* a = find_api(api_key);")
    c("if (!a || api_version < a->min_version || api_version > a->max_version) return -1;")
    c("return a->request_flexible_from >= 0 && api_version >= a->request_flexible_from ? 2 : 1;")
    c.end()
    c()
    c.block("std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version)")
    c("const api_info* a = find_api(api_key);")
    c("if (!a || api_version < a->min_version || api_version > a->max_version) return -1;")
    c("if (api_key == api_versions_key) return 0;")
    c("return a->response_flexible_from >= 0 && api_version >= a->response_flexible_from ? 1 : 0;")
    c.end()
    c()
    c("}  // namespace %s" % NS)
    return h.text(), c.text()


def gen_all(msgs):
    o = Out()
    o("// Generated by src/kafka/protocol/generator/kafka_codegen.py. Do not edit.")
    o("// Every generated message struct, the API table, and `all_messages`, a type list of the structs.")
    o("#pragma once")
    o()
    o('#include "%s/api_keys.h"' % INC)
    for m in msgs:
        o('#include "%s/%s.h"' % (INC, m.cname))
    o()
    o("namespace %s {" % NS)
    o()
    o("template <typename... T>")
    o("struct message_list {};")
    o()
    o("using all_messages = message_list<")
    for i, m in enumerate(msgs):
        o("    %s%s" % (m.cname, "," if i + 1 < len(msgs) else ">;"))
    o()
    o("}  // namespace %s" % NS)
    return o.text()


# ---- main ------------------------------------------------------------------------------------------

def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def load(input_dir, name):
    path = os.path.join(input_dir, name + ".json")
    with open(path, encoding="utf-8") as f:
        js = json.loads(strip_comments(f.read()))
    if js.get("name") != name:
        raise GenError("%s: names %r" % (path, js.get("name")))
    return Message(js)


def main(argv):
    global NS, INC
    ap = argparse.ArgumentParser(description="Generates Kafka message codecs; see the top of this file.")
    ap.add_argument("--input-dir", required=True)
    ap.add_argument("--output-dir", required=True)
    ap.add_argument("--namespace", default=NS, help="C++ namespace of the generated code")
    ap.add_argument("--include-dir", default=INC, help="include path of the output directory")
    ap.add_argument("messages", nargs="+")
    args = ap.parse_args(argv)
    NS, INC = args.namespace, args.include_dir
    try:
        msgs = [load(args.input_dir, n) for n in args.messages]
        files = {}
        for m in msgs:
            files[m.cname + ".h"] = gen_header(m)
            files[m.cname + ".cc"] = gen_source(m)
        files["api_keys.h"], files["api_keys.cc"] = gen_api_keys(msgs)
        files["all.h"] = gen_all(msgs)
        files["test_samples.h"], files["test_samples.cc"] = gen_samples(msgs)
    except (GenError, ValueError, KeyError) as e:
        print("kafka_codegen: %s" % e, file=sys.stderr)
        return 1
    os.makedirs(args.output_dir, exist_ok=True)
    for name, text in files.items():
        write_if_changed(os.path.join(args.output_dir, name), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
