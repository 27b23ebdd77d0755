"""The anonymisation rule (docs/OUTPUT.md; `--keep-private-ips` turns it off), written again from
the documentation for the tests, independently of the C code (src/flow/attrib.c): which addresses
are local, and how each form a table writes an address is rewritten. The one copy the tests
share: a test that compares against an independent reading imports it from here."""
import ipaddress

LOCAL_NETS = [ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10")]


def is_local(a):
    """a: an ipaddress address"""
    return any(a in n for n in LOCAL_NETS)


def literal_is_local(a):
    """a literal's address: an IPv4-mapped IPv6 one is judged by its IPv4 address (a zone ID,
    `fe80::1%eth0`, names the link: ipaddress keeps it apart as scope_id)"""
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return is_local(a)


def zero(version):
    return ipaddress.ip_address("0.0.0.0" if version == 4 else "::")


def literal(text):
    """the address a strict literal is (a dotted quad without leading zeros, or IPv6), else None"""
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return None
    return a if a.version == 6 or str(a) == text else None


def anon_name(n):
    """a name that is a local address literal as a whole (the timeline's tls_names, tls_sni)"""
    a = literal(n)
    return str(zero(a.version)) if a is not None and literal_is_local(a) else n


def anon_host(h):
    """an authority, `[userinfo@]host[:port]` (http_host): a local literal host as the zero address"""
    user, at, host = h.rpartition("@")
    port = ""
    if host.startswith("[") and "]" in host:
        lit, port = host[1:].split("]", 1)
        if port and not port.startswith(":"):
            return h   # not host[:port]
        wrap = "[%s]"
    elif host.count(":") >= 2:
        lit, wrap = host, "%s"
    else:
        lit, colon, rest = host.partition(":")
        port, wrap = colon + rest, "%s"
    a = literal(lit)
    return user + at + (wrap % zero(a.version)) + port if a is not None and literal_is_local(a) else h


def anon_uri(u):
    """a request target (http_uri): an absolute one's authority, or CONNECT's host:port"""
    scheme, sep, rest = u.partition("://")
    if sep and scheme and scheme[0].isalpha():
        cut = min([i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)])
        return scheme + sep + anon_host(rest[:cut]) + rest[cut:]
    return u if u.startswith(("/", "*")) else anon_host(u)


def rev_addr(q):
    """the address a whole reverse-lookup name asks for (strict labels), else None"""
    low = q.lower()
    if low.endswith(".in-addr.arpa"):
        labs = q[:-len(".in-addr.arpa")].split(".")
        if len(labs) == 4 and all(x.isdigit() and x == str(int(x)) and int(x) < 256 for x in labs):
            return ipaddress.ip_address(".".join(reversed(labs)))
    if low.endswith(".ip6.arpa"):
        labs = q[:-len(".ip6.arpa")].split(".")
        if len(labs) == 32 and all(len(x) == 1 and x in "0123456789abcdefABCDEF" for x in labs):
            return ipaddress.ip_address(int("".join(reversed(labs)), 16))
    return None


def anon_qname(q, link):
    """dns_qname: a reverse name as anon_revname says, else a name that is a local literal as
    anon_name says"""
    r = anon_revname(q, link)
    return r if r != q or not q else anon_name(q)


def anon_revname(q, link):
    """dns_qname: a reverse name of a local address (of any one on mDNS / LLMNR: link) as the
    zero address's"""
    a = rev_addr(q) if q else None
    if a is None or not (link or is_local(a)):
        return q
    return "0.0.0.0" + q[-len(".in-addr.arpa"):] if a.version == 4 else "0." * 32 + q[-len("ip6.arpa"):]
