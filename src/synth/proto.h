/* Application-layer payload builders for the synthetic generator: every function writes one
 * well-formed protocol message into buf (which must hold at least the documented size) and
 * returns its length. Bytes that real traffic encrypts or randomises come from the caller's
 * PRNG (rnd), so the output is deterministic for a seed. */
#ifndef IOF_SYNTH_PROTO_H
#define IOF_SYNTH_PROTO_H

#include <stddef.h>
#include <stdint.h>

typedef struct iof__rng { uint64_t s[4]; } iof__rng;

uint64_t iof__rng_next(iof__rng *r);
void iof__rng_seed(iof__rng *r, uint64_t seed);
/* uniform in [0, n) (n > 0) */
uint64_t iof__rng_below(iof__rng *r, uint64_t n);
/* uniform double in [0, 1) */
double iof__rng_unit(iof__rng *r);
void iof__rng_fill(iof__rng *r, uint8_t *p, size_t n);

/* Text without printf (hot payloads are formatted per message): each appends to p and returns
 * the new end; no NUL is written. Fixed decimals: iof__fmt_fixed() (output/textbuf.h). */
char *iof__put_str(char *p, const char *s);
char *iof__put_dec(char *p, uint64_t v);
char *iof__put_int(char *p, int64_t v);

/* Worst-case sizes (buf must hold at least this much). */
#define IOF_PROTO_MAX 2048

size_t iof__dns_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype, int mdns);
/* Answer with n A (qtype 1, 4-byte addrs) or AAAA (qtype 28, 16-byte) records. */
size_t iof__dns_answer(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype,
                       const uint8_t *addrs, int n, uint32_t ttl);
/* mDNS announcement: PTR service -> instance, TXT, and an A record for host. */
size_t iof__mdns_announce(uint8_t *buf, const char *service, const char *instance,
                          const char *host, const uint8_t ip4[4]);
size_t iof__tls_client_hello(uint8_t *buf, const char *sni, iof__rng *r);
/* ServerHello + ChangeCipherSpec (TLS 1.3 shape). */
size_t iof__tls_server_hello(uint8_t *buf, iof__rng *r);
size_t iof__http_get(uint8_t *buf, const char *host, const char *path, const char *ua);
size_t iof__http_response_head(uint8_t *buf, int code, const char *reason, size_t body_len,
                               const char *ctype);
size_t iof__coap(uint8_t *buf, int type, int code, uint16_t msgid, uint32_t token,
                 const char *uri_path, const char *payload);
size_t iof__dtls_appdata(uint8_t *buf, uint16_t epoch, uint64_t seq, size_t len, iof__rng *r);
size_t iof__mqtt_connect(uint8_t *buf, const char *client_id, uint16_t keepalive);
size_t iof__mqtt_connack(uint8_t *buf);
size_t iof__mqtt_publish(uint8_t *buf, const char *topic, const char *payload);
size_t iof__mqtt_ping(uint8_t *buf, int resp);
size_t iof__ntp(uint8_t *buf, int server, int64_t ts_us, int64_t orig_us);
size_t iof__ssdp_notify(uint8_t *buf, const char *uuid, const uint8_t ip[4]);
size_t iof__ssdp_msearch(uint8_t *buf);
/* DHCP message type 1 discover, 2 offer, 3 request, 5 ack. */
size_t iof__dhcp(uint8_t *buf, int msgtype, uint32_t xid, const uint8_t mac[6],
                 const uint8_t ciaddr[4], const uint8_t yiaddr[4], const uint8_t server[4],
                 const char *hostname);
size_t iof__igmp_report(uint8_t *buf, const uint8_t group[4]);
/* NetBIOS session request / positive response. */
size_t iof__nbss_request(uint8_t *buf, const char *called, const char *calling);
size_t iof__nbss_positive(uint8_t *buf);
/* NBSS + SMB2 WRITE request header for data_len bytes that follow; returns header length. */
size_t iof__smb2_write_req_head(uint8_t *buf, uint64_t msgid, uint64_t sessid, uint32_t treeid,
                                uint32_t data_len, uint64_t offset);
size_t iof__smb2_write_resp(uint8_t *buf, uint64_t msgid, uint64_t sessid, uint32_t treeid,
                            uint32_t count);
size_t iof__telnet_text(uint8_t *buf, const char *text);
size_t iof__telnet_negotiate(uint8_t *buf);

#endif
