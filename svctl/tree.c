/* tree.c — `svctl tree`: the cgroup tree initd built, from a TREE reply.
 * Nodes come parents first; each is printed indented by its depth. Each
 * node's cgroup.subtree_control, as the kernel has it, is svctl's read
 * below the reply's cgroup root (svctl/cgstat.h), not PID 1's: a read a
 * node, ~2000 at 2000 units, in PID 1's loop. From an older initd, the
 * reply's own. */
#include <errno.h>
#include <string.h>

#include "common/proto.h"
#include "common/util.h"
#include "svctl/cgstat.h"
#include "svctl/output.h"

#define TREE_NODES_MAX (1u << 20)

/* One NODE, its strings pointing into the reply. */
struct tree_node {
	const char *path, *kind, *name, *state, *subtree;
	bool no_cgroup;             /* NO_CGROUP: nothing of it to read */
	const uint8_t *attrs;       /* for LIMIT and MESSAGE, in order */
	uint32_t attrs_len;
};

static int node_parse(const struct proto_attr_view *n, struct tree_node *t)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *str = NULL;
	int r;

	memset(t, 0, sizeof(*t));
	t->attrs = n->data;
	t->attrs_len = n->len;
	proto_iter_init(&it, n->data, n->len);
	while ((r = proto_iter_next(&it, &a)) > 0) {
		switch (a.type) {
		case PROTO_ATTR_PATH:            r = proto_get_str(&a, &t->path); break;
		case PROTO_ATTR_KIND:            r = proto_get_str(&a, &t->kind); break;
		case PROTO_ATTR_NAME:            r = proto_get_str(&a, &t->name); break;
		case PROTO_ATTR_STATE:           r = proto_get_str(&a, &t->state); break;
		case PROTO_ATTR_SUBTREE_CONTROL: r = proto_get_str(&a, &t->subtree); break;
		case PROTO_ATTR_NO_CGROUP:       t->no_cgroup = true; r = 0; break;
		case PROTO_ATTR_LIMIT:
		case PROTO_ATTR_MESSAGE:         r = proto_get_str(&a, &str); break;
		default:                         r = 0; break;
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return t->path && t->kind ? 0 : -EBADMSG;
}

/* Every string attribute of type attr of the node. */
static void node_each(const struct tree_node *t, uint16_t attr,
		      void (*fn)(FILE *f, const char *s, bool first, size_t depth), FILE *f,
		      size_t depth)
{
	struct proto_attr_iter it;
	struct proto_attr_view a;
	const char *s;
	bool first = true;

	proto_iter_init(&it, t->attrs, t->attrs_len);
	while (proto_iter_next(&it, &a) > 0)
		if (a.type == attr && proto_get_str(&a, &s) == 0) {
			fn(f, s, first, depth);
			first = false;
		}
}

static size_t node_depth(const char *path)
{
	size_t d = *path ? 1 : 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}


static void indent(FILE *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputs("  ", f);
}

static void print_limit(FILE *f, const char *s, bool first, size_t depth)
{
	indent(f, depth + 1);
	fputs("  ", f);
	print_clean(f, s);
	fputc('\n', f);
}

static void print_problem(FILE *f, const char *s, bool first, size_t depth)
{
	indent(f, depth + 1);
	fputs("! ", f);
	print_clean(f, s);
	fputc('\n', f);
}

static void node_print(FILE *f, const struct tree_node *t)
{
	const char *base = strrchr(t->path, '/');
	size_t depth = node_depth(t->path);

	indent(f, depth);
	print_clean(f, *t->path ? (base ? base + 1 : t->path) : "/");
	if (strcmp(t->kind, "slice") == 0)
		fputc('/', f);
	fputs("  (", f);
	print_clean(f, t->kind);
	if (t->state) {
		fputs(", ", f);
		print_clean(f, t->state);
	}
	fputc(')', f);
	if (t->subtree && *t->subtree) {
		fputs("  subtree_control: ", f);
		print_clean(f, t->subtree);
	}
	fputc('\n', f);
	node_each(t, PROTO_ATTR_LIMIT, print_limit, f, depth);
	node_each(t, PROTO_ATTR_MESSAGE, print_problem, f, depth);
}

static void json_item(FILE *f, const char *s, bool first, size_t depth)
{
	if (!first)
		fputc(',', f);
	json_print_string(f, s);
}

static void node_json(FILE *f, const struct tree_node *t, bool first)
{
	fputs(first ? "\n  {" : ",\n  {", f);
	fputs("\"path\":", f);
	json_print_string(f, t->path);
	fputs(",\"kind\":", f);
	json_print_string(f, t->kind);
	fputs(",\"name\":", f);
	json_print_string(f, t->name);
	fputs(",\"state\":", f);
	json_print_string(f, t->state);
	fputs(",\"subtree_control\":", f);
	json_print_string(f, t->subtree);
	fputs(",\"limits\":[", f);
	node_each(t, PROTO_ATTR_LIMIT, json_item, f, 0);
	fputs("],\"messages\":[", f);
	node_each(t, PROTO_ATTR_MESSAGE, json_item, f, 0);
	fputs("]}", f);
}

/* The node's subtree_control, first line, into buf: t->subtree then
 * points there. Left as it is where it cannot be read. */
static void node_read_subtree(int root_fd, struct tree_node *t, char buf[CGSTAT_FILE_MAX])
{
	if (root_fd < 0 || t->no_cgroup ||
	    cgstat_read(root_fd, t->path, "cgroup.subtree_control", buf) < 0)
		return;
	buf[strcspn(buf, "\n")] = '\0';
	t->subtree = buf;
}

int tree_print(FILE *f, const void *payload, size_t len, bool json)
{
	_cleanup_close_ int root_fd = cgstat_root_open(payload, len);

	return tree_print_at(f, payload, len, json, root_fd);
}

int tree_print_at(FILE *f, const void *payload, size_t len, bool json, int root_fd)
{
	char subtree[CGSTAT_FILE_MAX];
	struct proto_attr_iter it;
	struct proto_attr_view a;
	struct tree_node t;
	size_t n = 0;
	int r;

	/* validate everything first: print nothing from a malformed reply */
	proto_iter_init(&it, payload, len);
	while ((r = proto_iter_next(&it, &a)) > 0)
		if (a.type == PROTO_ATTR_NODE && (++n > TREE_NODES_MAX || node_parse(&a, &t) < 0))
			return -EBADMSG;
	if (r < 0)
		return -EBADMSG;
	if (json)
		fputc('[', f);
	n = 0;
	proto_iter_init(&it, payload, len);
	while (proto_iter_next(&it, &a) > 0) {
		if (a.type != PROTO_ATTR_NODE || node_parse(&a, &t) < 0)
			continue;
		node_read_subtree(root_fd, &t, subtree);
		if (json)
			node_json(f, &t, n == 0);
		else
			node_print(f, &t);
		n++;
	}
	if (json)
		fputs(n ? "\n]\n" : "]\n", f);
	return 0;
}
