"""A nested-layout JSON Lines row with its feature structs flattened, for the checks written with
the wide layout's names (docs/OUTPUT.md "Feature columns": {"dns": {"qname": ...}} -> "dns_qname").

flat(row) checks that every struct is an object whose members are all known, and keeps the order
of the row (a struct's members where the struct was)."""

# the members whose wide name is not "<struct>_<member>"
RENAMED = {
    ("byte_dist", "counts"): "byte_dist",  # the list of 256 (wide: byte_dist_000 ... _255)
    ("entropy", "per_byte"): "entropy",
    ("entropy", "total"): "total_entropy",
    ("wht", "c0"): "wht_0", ("wht", "c1"): "wht_1", ("wht", "c2"): "wht_2", ("wht", "c3"): "wht_3",
    ("first_payload", "out"): "payload_out", ("first_payload", "in"): "payload_in",
}
STRUCTS = ("byte_dist", "entropy", "wht", "dns", "tls", "dhcp", "http", "first_payload", "ppi", "hd", "idp", "splt",
           "l7")


def flat(row):
    out = {}
    for k, v in row.items():
        if k not in STRUCTS or not isinstance(v, dict):
            # the slot list "payload" is top-level; a struct is always an object
            assert k not in STRUCTS, f"struct {k} is not an object: {v!r}"
            out[k] = v
            continue
        for m, x in v.items():
            out[RENAMED.get((k, m), f"{k}_{m}")] = x
    return out
