/* mounts.c — the model of initd.conf's `mounts` (issue 14) and a unit's
 * `requires_mounts`: what each value is, freeing, the invariants of a
 * decoded set, and the split of a mount(8) options string into mount(2)
 * flags and filesystem data, which both --check and the mount helper
 * (initd/mounts.c) use, so that what --check accepts is exactly what the
 * helper passes to the kernel. The keys are parsed in mounts_parse.c. */
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "units/internal.h"

/* ---- options ------------------------------------------------------------- */

/* mount(8)'s flag words: the ones mount(2) takes as flags, not data. */
static const struct {
	const char *word;
	unsigned long set, clear;
} mount_flags[] = {
	{ "defaults", 0, 0 },
	{ "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
	{ "dirsync", MS_DIRSYNC, 0 },
	{ "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "lazytime", MS_LAZYTIME, 0 },  { "nolazytime", 0, MS_LAZYTIME },
	{ "mand", MS_MANDLOCK, 0 },      { "nomand", 0, MS_MANDLOCK },
	{ "silent", MS_SILENT, 0 },      { "loud", 0, MS_SILENT },
	{ "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
};

/* Words only mount(8) and fstab understand: the kernel would refuse them
 * as data, so they are refused here, where the line is known. */
static const char *const mount8_words[] = {
	"auto", "noauto", "nofail", "user", "users", "nouser", "owner", "group", "_netdev",
};

/* The data keys (before any '=') the kernel's ext4, tmpfs and overlay
 * take; a word outside its type's list is refused by --check. */
static const char *const ext_words[] = {
	"acl", "noacl", "user_xattr", "nouser_xattr", "errors", "data", "data_err", "barrier",
	"nobarrier", "commit", "discard", "nodiscard", "noload", "norecovery",
	"journal_checksum", "nojournal_checksum", "journal_async_commit", "delalloc",
	"nodelalloc", "auto_da_alloc", "noauto_da_alloc", "init_itable", "noinit_itable",
	"dax", "stripe", "resuid", "resgid", "sb", "grpid", "bsdgroups", "nogrpid",
	"sysvgroups", "quota", "noquota", "usrquota", "grpquota", "prjquota",
	"min_batch_time", "max_batch_time", "journal_ioprio", "inode_readahead_blks",
	"max_dir_size_kb", "i_version", "nombcache", "block_validity", "noblock_validity",
	"dioread_lock", "dioread_nolock", "debug",
};
static const char *const tmpfs_words[] = {
	"size", "nr_blocks", "nr_inodes", "mode", "uid", "gid", "huge", "mpol", "inode32",
	"inode64", "noswap",
};
static const char *const overlay_words[] = {
	"lowerdir", "upperdir", "workdir", "default_permissions", "redirect_dir", "index",
	"uuid", "nfs_export", "xino", "metacopy", "volatile", "userxattr",
};

static bool word_in(const char *w, size_t n, const char *const *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++)
		if (strlen(v[i]) == n && strncmp(w, v[i], n) == 0)
			return true;
	return false;
}

bool mount8_word(const char *w)
{
	return word_in(w, strlen(w), mount8_words, ARRAY_SIZE(mount8_words));
}

/* Is the data word w (n bytes, key before any '=') one type takes? */
static bool data_word_known(const char *type, const char *w, size_t n)
{
	size_t key = strcspn(w, "=");

	if (key > n)
		key = n;
	if (!type)
		return true;
	if (!strcmp(type, "ext2") || !strcmp(type, "ext3") || !strcmp(type, "ext4"))
		return word_in(w, key, ext_words, ARRAY_SIZE(ext_words));
	if (!strcmp(type, "tmpfs"))
		return word_in(w, key, tmpfs_words, ARRAY_SIZE(tmpfs_words));
	if (!strcmp(type, "overlay"))
		return word_in(w, key, overlay_words, ARRAY_SIZE(overlay_words));
	return true;
}

/* One word: into flags, or appended to data (o bytes used so far). */
static int option_word(const char *type, const char *w, size_t n, unsigned long *flags,
		       char *data, size_t *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_flags); i++) {
		if (strlen(mount_flags[i].word) == n && !strncmp(w, mount_flags[i].word, n)) {
			*flags = (*flags & ~mount_flags[i].clear) | mount_flags[i].set;
			return 0;
		}
	}
	if (n == 0 || word_in(w, n, mount8_words, ARRAY_SIZE(mount8_words)) ||
	    (n >= 2 && !strncmp(w, "x-", 2)) || !data_word_known(type, w, n))
		return -EINVAL;
	if (*o)
		data[(*o)++] = ',';
	memcpy(data + *o, w, n);
	*o += n;
	data[*o] = '\0';
	return 0;
}

int unit_mount_options_parse(const char *type, const char *options, unsigned long *ret_flags,
			     char *data, char *bad, size_t size)
{
	unsigned long flags = 0;
	size_t o = 0;
	const char *p = options;

	data[0] = '\0';
	if (options && strlen(options) > UNIT_MOUNT_OPTIONS_MAX)
		return -E2BIG;
	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (option_word(type, p, n, &flags, data, &o) < 0) {
			snprintf(bad, size, "%.*s", (int)n, p);
			return -EINVAL;
		}
		p += n + (p[n] == ',');
		if (p[-1] == ',' && !*p) {
			snprintf(bad, size, "%s", "");   /* a trailing comma: an empty word */
			return -EINVAL;
		}
	}
	*ret_flags = flags;
	return 0;
}

size_t unit_mount_tag(const char *what)
{
	static const char *const tags[] = { "LABEL=", "UUID=", "PARTUUID=" };

	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		if (!strncmp(what, tags[i], strlen(tags[i])))
			return strlen(tags[i]) - 1;
	return 0;
}

/* ---- values -------------------------------------------------------------- */

/* "/data", "/var/lib/x": absolute, no empty, "." or ".." component, no
 * trailing '/', not "/" itself (the root is the initramfs or the kernel's). */
bool where_valid(const char *s)
{
	if (s[0] != '/' || !s[1])
		return false;
	for (const char *p = s + 1; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;
	}
	return strlen(s) < 4096;
}

/* initd's own early mounts, which it needs (its control and notify
 * sockets in /run/initd, the cgroup tree, /dev/console, /proc), and the
 * directories above them: a mount there hides them. */
bool where_hides_initd(const char *s)
{
	static const char *const own[] = {
		"/proc", "/sys", "/sys/fs", "/sys/fs/cgroup", "/dev", "/run", "/run/initd",
	};

	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		if (!strcmp(s, own[i]))
			return true;
	return false;
}

static bool hex_run(const char *s, size_t n)
{
	return strspn(s, "0123456789abcdefABCDEF") >= n;
}

/* A UUID as blkid prints it: 8-4-4-4-12 hex, or FAT's XXXX-XXXX; a
 * PARTUUID: 8-4-4-4-12 (GPT) or MBR's 8-2. */
static bool uuid_valid(const char *v, bool part)
{
	size_t n = strlen(v);

	if (n == 36)
		return hex_run(v, 8) && v[8] == '-' && hex_run(v + 9, 4) && v[13] == '-' &&
		       hex_run(v + 14, 4) && v[18] == '-' && hex_run(v + 19, 4) && v[23] == '-' &&
		       hex_run(v + 24, 12);
	if (!part)
		return n == 9 && hex_run(v, 4) && v[4] == '-' && hex_run(v + 5, 4);
	return n == 11 && hex_run(v, 8) && v[8] == '-' && hex_run(v + 9, 2);
}

/* A pseudo source: "tmpfs", "overlay", "none"... */
static bool pseudo_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= UNIT_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* What `what` is wrong with, or NULL when it is good. */
const char *what_problem(const char *what)
{
	size_t tag = unit_mount_tag(what);
	const char *v = what + tag + 1;

	if (what[0] == '/')
		return where_valid(what) ? NULL : "a device path must be a normalised absolute path";
	if (!tag)
		return pseudo_valid(what) ? NULL :
		       "expected a device path, LABEL=, UUID=, PARTUUID= or a pseudo source (tmpfs, overlay)";
	if (tag == 5 && !strncmp(what, "LABEL", 5))
		return *v && strlen(v) <= UNIT_MOUNT_LABEL_MAX && !strchr(v, '/') ? NULL :
		       "a LABEL= is 1 to 16 bytes, no '/'";
	if (tag == 4)
		return uuid_valid(v, false) ? NULL :
		       "a UUID= is 8-4-4-4-12 hex digits (or XXXX-XXXX)";
	return uuid_valid(v, true) ? NULL : "a PARTUUID= is 8-4-4-4-12 hex digits (or XXXXXXXX-NN)";
}

bool type_valid(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= UNIT_MOUNT_TYPE_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.") == n;
}

bool is_block_source(const char *what)
{
	return what[0] == '/' || unit_mount_tag(what) > 0;
}

/* The filesystems that live on a block device: their source is a device,
 * never a word (a word is the source of tmpfs, proc, overlay..., and the
 * tag of 9p and virtiofs, so only the types known to need one are held to
 * it). */
bool type_needs_device(const char *type)
{
	static const char *const block_types[] = {
		"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "bcachefs", "vfat", "msdos",
		"exfat", "ntfs", "ntfs3", "squashfs", "erofs", "iso9660", "udf", "jfs",
		"reiserfs", "nilfs2", "hfs", "hfsplus",
	};

	for (size_t i = 0; i < ARRAY_SIZE(block_types); i++)
		if (!strcmp(type, block_types[i]))
			return true;
	return false;
}

/* ---- initd.conf's mounts ------------------------------------------------- */

const char *const mount_format_names[MOUNT_FORMAT_MAX] = {
	[MOUNT_FORMAT_NONE] = "none",
	[MOUNT_FORMAT_EXT4] = "ext4",
};

const char *mount_format_to_string(enum mount_format f)
{
	return (unsigned)f < MOUNT_FORMAT_MAX ? mount_format_names[f] : NULL;
}

/* format's rule, shared by the parser and the decoded-model check: a block
 * device, and the type it makes is the type mounted. NULL when fine. */
const char *format_problem(const struct unit_mount *m)
{
	if (m->format == MOUNT_FORMAT_NONE)
		return NULL;
	if ((unsigned)m->format >= MOUNT_FORMAT_MAX)
		return "unknown format";
	if (!is_block_source(m->what))
		return "formatting needs a block device what";
	/* a blank device has neither: it would never be found to format */
	if (!strncmp(m->what, "LABEL=", 6) || !strncmp(m->what, "UUID=", 5))
		return "a blank device has no LABEL= or UUID=: name it by path or PARTUUID=";
	if (strcmp(m->type, mount_format_names[m->format]))
		return "the format differs from the type mounted";
	return NULL;
}

void mount_clear(void *elem)
{
	struct unit_mount *m = elem;

	free(m->what);
	free(m->where);
	free(m->type);
	free(m->options);
	*m = (struct unit_mount){ .what = NULL };
}

void mounts_conf_clear(struct initd_conf *conf)
{
	for (size_t i = 0; conf->mounts && i < conf->n_mounts; i++)
		mount_clear(&conf->mounts[i]);
	free(conf->mounts);
	conf->mounts = NULL;
	conf->n_mounts = 0;
}

/* What parse_mounts guarantees, checked on a decoded conf. */
bool mounts_conf_valid(const struct initd_conf *conf)
{
	char data[UNIT_MOUNT_OPTIONS_MAX + 1], bad[8];
	unsigned long flags;

	if (conf->n_mounts > UNIT_MOUNTS_MAX || (conf->n_mounts && !conf->mounts))
		return false;
	for (size_t i = 0; i < conf->n_mounts; i++) {
		const struct unit_mount *m = &conf->mounts[i];

		if (!m->what || !m->where || !m->type || what_problem(m->what) ||
		    !where_valid(m->where) || where_hides_initd(m->where) ||
		    !type_valid(m->type) || m->timeout_usec == 0 ||
		    (unsigned)m->on_failure >= FAILURE_ACTION_MAX ||
		    (m->fsck && !is_block_source(m->what)) || format_problem(m) ||
		    (type_needs_device(m->type) && !is_block_source(m->what)) ||
		    unit_mount_options_parse(m->type, m->options, &flags, data, bad, sizeof(bad)) < 0)
			return false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(conf->mounts[j].where, m->where))
				return false;
	}
	return true;
}

const struct unit_mount *mounts_find(const struct initd_conf *conf, const char *where)
{
	for (size_t i = 0; i < conf->n_mounts; i++)
		if (!strcmp(conf->mounts[i].where, where))
			return &conf->mounts[i];
	return NULL;
}

/* ---- a unit's requires_mounts -------------------------------------------- */

bool mounts_unit_valid(const struct unit *u)
{
	if (!u->requires_mounts || strv_length(u->requires_mounts) > UNIT_MOUNTS_MAX)
		return false;
	for (char **w = u->requires_mounts; *w; w++)
		if (!where_valid(*w))
			return false;
	return true;
}
