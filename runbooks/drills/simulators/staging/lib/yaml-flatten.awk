# Flattens block-style YAML (the subset Kubernetes manifests use: maps, sequences, scalars, comments)
# into one line per scalar: PATH<TAB>VALUE, with PATH like spec.template.spec.containers[0].image.
# Flow collections and anchors are not understood; block scalars (| and >) become "<block>".
function strip_comment(s,    out, i, c, q) {
    q = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q == "" && (c == "\"" || c == "'")) q = c
        else if (q != "" && c == q) q = ""
        else if (q == "" && c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t]/)) break
        out = out c
    }
    sub(/[ \t]+$/, "", out)
    return out
}
function unquote(v) {
    if (v ~ /^".*"$/ || v ~ /^'.*'$/) return substr(v, 2, length(v) - 2)
    return v
}
function join(p, k) { return p == "" ? k : p "." k }
function push(ind, path, kind) { top++; fi[top] = ind; fp[top] = path; fk[top] = kind; fc[top] = -1 }
# Handles "key: value" or "key:" inside the map frame on top of the stack.
function map_entry(s,    k, v, pos) {
    pos = index(s, ":")
    if (pos == 0) { print fp[top] "\t" unquote(s); return }
    k = unquote(substr(s, 1, pos - 1))
    v = substr(s, pos + 1); sub(/^[ \t]+/, "", v)
    if (v == "") { push(-1, join(fp[top], k), "?") ; return }
    if (v == "|" || v == ">" || v ~ /^[|>][-+]?$/) { print join(fp[top], k) "\t<block>"; block = cur_indent; return }
    print join(fp[top], k) "\t" unquote(v)
}
BEGIN { top = 0; fi[0] = 0; fp[0] = ""; fk[0] = "map"; block = -1 }
{
    line = $0
    sub(/\r$/, "", line)
    if (block >= 0) {
        match(line, /^ */)
        if (line ~ /^[ \t]*$/ || RLENGTH > block) next
        block = -1
    }
    line = strip_comment(line)
    if (line ~ /^[ \t]*$/ || line ~ /^---/) next
    match(line, /^ */); ind = RLENGTH; cur_indent = ind
    s = substr(line, ind + 1)
    dash = (s ~ /^-( |$)/)
    # A key that opened a block: this line decides its indent and kind.
    if (fk[top] == "?") {
        if ((dash && ind >= fi[top - 1]) || (!dash && ind > fi[top - 1])) { fi[top] = ind; fk[top] = dash ? "seq" : "map" }
        else top--
    }
    while (top > 0 && fi[top] > ind) top--
    if (dash) {
        if (!(fk[top] == "seq" && fi[top] == ind)) next   # malformed for this subset: ignore
        fc[top]++
        item = fp[top] "[" fc[top] "]"
        rest = substr(s, 2); match(rest, /^ */); col = ind + 1 + RLENGTH; rest = substr(rest, RLENGTH + 1)
        if (rest == "") { push(-1, item, "?"); next }
        if (rest ~ /^("[^"]*"|'[^']*'|[^"' ][^:]*):( |$)/) { push(col, item, "map"); map_entry(rest); next }
        print item "\t" unquote(rest)
        next
    }
    if (fk[top] == "map") map_entry(s)
}
