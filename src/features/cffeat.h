/* Feature modules on custom-flow records (--features byte_dist, entropy; docs/OUTPUT.md
 * "Feature columns"): the custom-flow policy's hooks (flow/cflow.h) feed a feature set with
 * every packet's captured transport payload, each direction's state in the record's extension
 * area; the custom-flow row's feature column group (kinds/cf_row.c) declares and reads the
 * modules' columns (their `cols` hooks) through the functions below, so the kind never knows a
 * module. */
#ifndef IOF_FEATURES_CFFEAT_H
#define IOF_FEATURES_CFFEAT_H

#include "features/feature.h"
#include "flow/cflow.h"

/* The IOF_FEATURE_* bits custom-flow records take (the rest belong to other tables). */
unsigned iof__cffeat_bits(void);
/* The feature set of `features` (custom-flow bits; others ignored): s->ext_size 0 when none.
 * anonymise: the run's address rule (flow/attrib.h iof__ip_anon) for addresses in feature columns. */
int iof__cffeat_set(iof__featset *s, unsigned features, bool anonymise);
/* Sets cfg->hooks for s (s must outlive the policy); none when s has no module. */
void iof__cffeat_hooks(const iof__featset *s, iof__cf_config *cfg);
/* The columns of `features` (custom-flow bits), field `field` each, in the wide or nested layout. */
int iof__cffeat_declare(iof__schema *s, unsigned features, bool wide, uint16_t field);
/* The nested layout's structs: makes the feature columns [first, s->n) of s (declared with
 * their wide names, as every module and l7 declare them) members of their groups' structs
 * ("dns_qname" -> "dns.qname"; docs/OUTPUT.md "Feature columns"). IOF_E_INVAL for a column of
 * no known group. */
int iof__cffeat_nest(iof__schema *s, size_t first);
/* The nested layout's full name ("dns.qname") of the feature column a module declares as `wide`
 * ("dns_qname"; the lists: "byte_dist", "splt_len" ...) into out; IOF_E_INVAL for no feature
 * column's name. */
int iof__cffeat_nested_name(const char *wide, char out[IOF_MAX_COLNAME]);
/* A cell of one of those columns for record r (element k of a list), and a list's length. */
void iof__cffeat_get(const iof__cfrec *r, const iof__column *c, uint32_t k, iof__value *v);
uint32_t iof__cffeat_count(const iof__cfrec *r, const iof__column *c);
/* The cells of r in columns c[0 .. n) at once, as iof__schema's i64_span: the first m (returned)
 * columns of c[0]'s module with consecutive ids that its cols->span reads (0: none). */
uint32_t iof__cffeat_span(const iof__cfrec *r, const iof__column *c, uint32_t n, int64_t *v, uint8_t *has);
/* For each group of s (the run's set) whose cells of record r lost something to one of its
 * columns' caps (its cols->cut), adds 1 to cuts[its registry index]: the run's
 * records.features_cut (a packed copy: from the bits its packing noted). */
void iof__cffeat_count_cuts(const iof__featset *s, const iof__cfrec *r, uint64_t cuts[IOF_FEAT_MAX_MODULES]);

/* A record's copy (kinds/cf_kind.c): the bytes its feature state takes there, packed (each
 * direction the record has, iof__featset_pack; a copy's: as it is), and the packing into dst,
 * which also gives the groups' cut bits (r->feat_cuts of the copy). Returns the bytes written. */
size_t iof__cffeat_pack_size(const iof__cfrec *r);
size_t iof__cffeat_pack(const iof__cfrec *r, unsigned char *dst, uint32_t *cuts);
/* The record the columns read: r itself unless its state is packed; else *view, a shallow copy
 * of r whose state is unpacked into scratch (scratch_bytes, 16-aligned: 2 x the set's ext_size;
 * valid until the next call with it). A scratch too small gives no feature state (null cells). */
const iof__cfrec *iof__cffeat_unpacked(const iof__cfrec *r, iof__cfrec *view, unsigned char *scratch,
                                       size_t scratch_bytes);

#endif
