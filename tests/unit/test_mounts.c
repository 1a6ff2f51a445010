/* test_mounts.c — initd.conf's mounts and a unit's requires_mounts (issue
 * 14): the options split into mount(2) flags and data, the schema and its
 * FILE:LINE errors, the cross-file check, and the binary encoding (unit tag
 * 65, past the 63 a record's tag bitmap once held). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fssig.h"
#include "common/util.h"
#include "initd/loader.h"
#include "initd/loop.h"
#include "initd/mount_helper.h"
#include "initd/mounts.h"
#include "units/unit.h"
#include "tests/files.h"

START_TEST(options_split)
{
	char data[UNIT_MOUNT_OPTIONS_MAX + 1], bad[64];
	unsigned long flags = 0;

	ck_assert_int_eq(unit_mount_options_parse("ext4", "noatime,ro,nosuid,errors=remount-ro,nodev",
						  &flags, data, bad, sizeof(bad)), 0);
	ck_assert_uint_eq(flags, MS_NOATIME | MS_RDONLY | MS_NOSUID | MS_NODEV);
	ck_assert_str_eq(data, "errors=remount-ro");
	ck_assert_int_eq(unit_mount_options_parse("ext4", "ro,rw,defaults", &flags, data, bad,
						  sizeof(bad)), 0);
	ck_assert_uint_eq(flags, 0);
	ck_assert_str_eq(data, "");
	ck_assert_int_eq(unit_mount_options_parse("overlay",
			"lowerdir=/var,upperdir=/data/u,workdir=/data/w,noexec", &flags, data, bad,
			sizeof(bad)), 0);
	ck_assert_uint_eq(flags, MS_NOEXEC);
	ck_assert_str_eq(data, "lowerdir=/var,upperdir=/data/u,workdir=/data/w");
	ck_assert_int_eq(unit_mount_options_parse(NULL, NULL, &flags, data, bad, sizeof(bad)), 0);
	ck_assert_uint_eq(flags, 0);
	/* refused: a mount(8)-only word, an unknown ext4 word, an empty word */
	ck_assert_int_eq(unit_mount_options_parse("ext4", "noatime,nofail", &flags, data, bad,
						  sizeof(bad)), -EINVAL);
	ck_assert_str_eq(bad, "nofail");
	ck_assert_int_eq(unit_mount_options_parse("ext4", "journal=1", &flags, data, bad,
						  sizeof(bad)), -EINVAL);
	ck_assert_str_eq(bad, "journal=1");
	ck_assert_int_eq(unit_mount_options_parse("tmpfs", "size=1M,,mode=755", &flags, data, bad,
						  sizeof(bad)), -EINVAL);
	ck_assert_int_eq(unit_mount_options_parse("tmpfs", "size=1M,", &flags, data, bad,
						  sizeof(bad)), -EINVAL);
	/* another type takes any data word */
	ck_assert_int_eq(unit_mount_options_parse("vfat", "utf8,umask=022", &flags, data, bad,
						  sizeof(bad)), 0);
	ck_assert_str_eq(data, "utf8,umask=022");
}
END_TEST

START_TEST(tags)
{
	ck_assert_uint_eq(unit_mount_tag("LABEL=data"), 5);
	ck_assert_uint_eq(unit_mount_tag("UUID=x"), 4);
	ck_assert_uint_eq(unit_mount_tag("PARTUUID=x"), 8);
	ck_assert_uint_eq(unit_mount_tag("/dev/vda"), 0);
	ck_assert_uint_eq(unit_mount_tag("tmpfs"), 0);
}
END_TEST

static struct unit_set *load(const char *conf, const char *unit)
{
	char dir[] = "/tmp/test_mounts.XXXXXX", path[256], units[128];
	struct unit_set *s = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(conf, f);
	fclose(f);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	snprintf(path, sizeof(path), "%s/units/app.unit", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(unit, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	ck_assert_int_eq(unit_set_load(path, units, &s), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/app.unit", units);
	unlink(path);
	rmdir(units);
	rmdir(dir);
	return s;
}

#define MOUNTS \
	"mounts = (\n" \
	"  { what = \"PARTUUID=9e1c2a3b-01\"; where = \"/data\"; type = \"ext4\"; options = \"noatime\";\n" \
	"    fsck = true; format = \"ext4\"; timeout = \"20s\"; on_failure = \"poweroff\"; },\n" \
	"  { what = \"tmpfs\"; where = \"/scratch\"; type = \"tmpfs\"; required = false; }\n" \
	");\n"

START_TEST(schema_and_defaults)
{
	struct unit_set *s = load(MOUNTS, "exec = [ \"/bin/x\" ];\nrequires_mounts = [ \"/data\" ];\n");
	const struct unit_mount *m = s->conf.mounts;

	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->conf.n_mounts, 2);
	ck_assert_str_eq(m[0].what, "PARTUUID=9e1c2a3b-01");
	ck_assert(m[0].fsck && m[0].required);
	ck_assert_int_eq(m[0].format, MOUNT_FORMAT_EXT4);
	ck_assert_int_eq(m[1].format, MOUNT_FORMAT_NONE);
	ck_assert_uint_eq(m[0].timeout_usec, 20000000);
	ck_assert_int_eq(m[0].on_failure, FAILURE_POWEROFF);
	ck_assert_ptr_null(m[1].options);
	ck_assert(!m[1].required && !m[1].fsck);
	ck_assert_uint_eq(m[1].timeout_usec, UNIT_MOUNT_TIMEOUT_DEFAULT);
	ck_assert_int_eq(m[1].on_failure, FAILURE_RESCUE);
	ck_assert_str_eq(s->units[0]->requires_mounts[0], "/data");
	ck_assert(!s->units[0]->bad);
	unit_set_free(s);
}
END_TEST

static const struct {
	const char *entry;
	const char *message;
} bad_cases[] = {
	{ "{ what = \"LABEL=\"; where = \"/d\"; type = \"ext4\"; }",
	  "'mounts[0].what': invalid source 'LABEL=': a LABEL= is 1 to 16 bytes, no '/'" },
	{ "{ what = \"UUID=zz\"; where = \"/d\"; type = \"ext4\"; }",
	  "'mounts[0].what': invalid source 'UUID=zz': a UUID= is 8-4-4-4-12 hex digits (or XXXX-XXXX)" },
	{ "{ what = \"/dev/vda\"; where = \"data\"; type = \"ext4\"; }",
	  "'mounts[0].where': invalid mount point 'data' (an absolute path, not \"/\", without '.', '..', '//' or a trailing '/')" },
	{ "{ what = \"/dev/vda\"; where = \"/\"; type = \"ext4\"; }",
	  "'mounts[0].where': invalid mount point '/' (an absolute path, not \"/\", without '.', '..', '//' or a trailing '/')" },
	{ "{ what = \"/dev/vda\"; where = \"/a/../b\"; type = \"ext4\"; }",
	  "'mounts[0].where': invalid mount point '/a/../b' (an absolute path, not \"/\", without '.', '..', '//' or a trailing '/')" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; }", "missing required key 'mounts[0].type'" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"ext4\"; options = \"nofail\"; }",
	  "'mounts[0].options': mount(8)-only option 'nofail' for type ext4 (write required = false)" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"ext4\"; required = false; "
	  "on_failure = \"reboot\"; }",
	  "'mounts[0].on_failure' is for a required mount: this one has 'required = false' "
	  "(its failure is logged and skipped)" },
	{ "{ what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; fsck = true; }",
	  "'mounts[0].fsck': 'tmpfs' is not a block device" },
	{ "{ what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; format = \"ext4\"; }",
	  "'mounts[0].format': formatting needs a block device what (what 'tmpfs', type tmpfs)" },
	{ "{ what = \"LABEL=data\"; where = \"/d\"; type = \"ext4\"; format = \"ext4\"; }",
	  "'mounts[0].format': a blank device has no LABEL= or UUID=: name it by path or PARTUUID= (what 'LABEL=data', type ext4)" },
	{ "{ what = \"UUID=1b4e28ba-2fa1-11d2-883f-0016d3cca427\"; where = \"/d\"; type = \"ext4\"; format = \"ext4\"; }",
	  "'mounts[0].format': a blank device has no LABEL= or UUID=: name it by path or PARTUUID= (what 'UUID=1b4e28ba-2fa1-11d2-883f-0016d3cca427', type ext4)" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"ext2\"; format = \"ext4\"; }",
	  "'mounts[0].format': the format differs from the type mounted (what '/dev/vda', type ext2)" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"xfs\"; format = \"xfs\"; }",
	  "'mounts[0].format': unknown value 'xfs' (expected none or ext4)" },
	{ "{ what = \"overlay\"; where = \"/d\"; type = \"overlay\"; options = \"upperdir=/u\"; }",
	  "'mounts[0].options': an overlay needs lowerdir=" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"ext4\"; timeout = \"0\"; }",
	  "'mounts[0].timeout' must be more than 0" },
	{ "{ what = \"/dev/vda\"; where = \"/d\"; type = \"ext4\"; on_failure = \"halt\"; }",
	  "'mounts[0].on_failure': unknown value 'halt' (expected none, reboot, poweroff or rescue)" },
};

START_TEST(bad_entries_have_lines)
{
	char conf[512];
	struct unit_set *s;

	snprintf(conf, sizeof(conf), "# line 1\nmounts = (\n  %s\n);\n", bad_cases[_i].entry);
	s = load(conf, "exec = [ \"/bin/x\" ];\n");
	ck_assert_uint_ge(s->diags.n, 1);
	ck_assert_int_eq(s->diags.v[0].line, 3);
	ck_assert_str_eq(s->diags.v[0].message, bad_cases[_i].message);
	ck_assert_uint_eq(s->conf.n_mounts, 0);   /* a bad entry is left out */
	unit_set_free(s);
}
END_TEST

/* A check across an entry's keys names one key: its message is at that
 * key's line, not the entry's '{', which may be lines above it (a user
 * fixes FILE:LINE). Each entry opens on line 3, one key a line. */
static const struct {
	const char *entry;
	int line;
	const char *message;
} cross_cases[] = {
	{ "{\n what = \"/dev/vda\";\n where = \"/d\";\n type = \"ext4\";\n options = \"size=1M\";\n}",
	  7, "'mounts[0].options': unknown option 'size=1M' for type ext4" },
	{ "{\n what = \"overlay\";\n where = \"/d\";\n type = \"overlay\";\n options = \"upperdir=/u\";\n}",
	  7, "'mounts[0].options': an overlay needs lowerdir=" },
	{ "{\n what = \"overlay\";\n where = \"/d\";\n type = \"overlay\";\n}",
	  6, "'mounts[0].options': an overlay needs lowerdir=" },
	{ "{\n what = \"tmpfs\";\n where = \"/d\";\n type = \"tmpfs\";\n fsck = true;\n}",
	  7, "'mounts[0].fsck': 'tmpfs' is not a block device" },
	{ "{\n what = \"/dev/vda\";\n where = \"/d\";\n type = \"ext2\";\n format = \"ext4\";\n}",
	  7, "'mounts[0].format': the format differs from the type mounted (what '/dev/vda', type ext2)" },
	{ "{\n what = \"/dev/vda\";\n where = \"/d\";\n}",
	  3, "missing required key 'mounts[0].type'" },
	/* a filesystem on a block device: a word is no source of one (it
	 * passed as a pseudo source, and the mount failed at boot) */
	{ "{\n what = \"vda\";\n where = \"/data\";\n type = \"ext4\";\n}",
	  4, "'mounts[0].what': 'vda' is not a device, which type ext4 needs "
	  "(expected a device path, LABEL=, UUID= or PARTUUID=)" },
	{ "{\n what = \"data\";\n where = \"/d\";\n type = \"xfs\";\n fsck = true;\n}",
	  4, "'mounts[0].what': 'data' is not a device, which type xfs needs "
	  "(expected a device path, LABEL=, UUID= or PARTUUID=)" },
};

/* A word is the source of a filesystem that needs no device (and a tag
 * for 9p and virtiofs); a block filesystem takes a path or a tag. */
START_TEST(pseudo_sources_stay_good)
{
	struct unit_set *s = load("mounts = (\n"
	    "  { what = \"tmpfs\"; where = \"/a\"; type = \"tmpfs\"; },\n"
	    "  { what = \"none\"; where = \"/b\"; type = \"ramfs\"; },\n"
	    "  { what = \"proc\"; where = \"/c\"; type = \"proc\"; },\n"
	    "  { what = \"sysfs\"; where = \"/e\"; type = \"sysfs\"; },\n"
	    "  { what = \"overlay\"; where = \"/f\"; type = \"overlay\"; options = \"lowerdir=/l\"; },\n"
	    "  { what = \"hostshare\"; where = \"/g\"; type = \"9p\"; },\n"
	    "  { what = \"myfs\"; where = \"/h\"; type = \"virtiofs\"; },\n"
	    "  { what = \"/dev/vda\"; where = \"/i\"; type = \"ext4\"; },\n"
	    "  { what = \"LABEL=data\"; where = \"/j\"; type = \"btrfs\"; }\n"
	    ");\n", "exec = [ \"/bin/x\" ];\n");

	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_uint_eq(s->conf.n_mounts, 9);
	unit_set_free(s);
}
END_TEST

START_TEST(cross_key_errors_are_at_the_key)
{
	char conf[512];
	struct unit_set *s;

	snprintf(conf, sizeof(conf), "# line 1\nmounts = (\n  %s\n);\n", cross_cases[_i].entry);
	s = load(conf, "exec = [ \"/bin/x\" ];\n");
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_str_eq(s->diags.v[0].message, cross_cases[_i].message);
	ck_assert_int_eq(s->diags.v[0].line, cross_cases[_i].line);
	unit_set_free(s);
}
END_TEST

/* A later entry's repeated where is at that where's line; a bad, repeated
 * or undeclared requires_mounts element at the element's own line, also
 * when the list's ']' is lines below it. */
START_TEST(where_and_requires_mounts_at_their_lines)
{
	struct unit_set *s = load("mounts = (\n"
				  "  { what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; },\n"
				  "  { what = \"/dev/vda\";\n"
				  "    where = \"/d\";\n"
				  "    type = \"ext4\"; }\n);\n",
				  "exec = [ \"/bin/x\" ];\n"
				  "requires_mounts = [\n"
				  " \"/d\",\n"
				  " \"d\"\n"
				  "\n"
				  "];\n");

	ck_assert_str_eq(s->diags.v[0].message, "'mounts[1]': '/d' is mounted by an earlier entry");
	ck_assert_int_eq(s->diags.v[0].line, 4);
	ck_assert(s->units[0]->bad);
	ck_assert_str_eq(s->units[0]->diags.v[0].message,
			 "'requires_mounts[1]': invalid mount point 'd' (an absolute path, not \"/\")");
	ck_assert_int_eq(s->units[0]->diags.v[0].line, 4);
	unit_set_free(s);

	s = load("mounts = ( { what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; } );\n",
		 "exec = [ \"/bin/x\" ];\n"
		 "requires_mounts = [\n"
		 " \"/d\",\n"
		 " \"/d\"\n"
		 "\n"
		 "];\n");
	ck_assert(s->units[0]->bad);
	ck_assert_str_eq(s->units[0]->diags.v[0].message, "'requires_mounts[1]': '/d' is listed twice");
	ck_assert_int_eq(s->units[0]->diags.v[0].line, 4);
	unit_set_free(s);

	s = load("mounts = ( { what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; } );\n",
		 "exec = [ \"/bin/x\" ];\n"
		 "requires_mounts = [\n"
		 " \"/d\",\n"
		 " \"/srv\"\n"
		 "\n"
		 "];\n");
	ck_assert(s->units[0]->bad);
	ck_assert_str_eq(s->units[0]->diags.v[0].message,
			 "requires_mounts: '/srv' is not in initd.conf's mounts "
			 "(mounts = ( { where = \"/srv\"; ... } ))");
	ck_assert_int_eq(s->units[0]->diags.v[0].line, 4);
	unit_set_free(s);
}
END_TEST

/* A mount over one of initd's own early mounts (or above one) hides what
 * initd keeps there: over /run, its control and notify sockets, so svctl
 * could never reach it (--check said "configuration OK"). Below them is
 * fine, as is /dev/shm, which initd does not use. */
static const struct { const char *where; bool hides; } hiding_cases[] = {
	{ "/run", true }, { "/run/initd", true }, { "/proc", true }, { "/sys", true },
	{ "/sys/fs", true }, { "/sys/fs/cgroup", true }, { "/dev", true },
	{ "/run/app", false }, { "/dev/shm", false }, { "/data", false }, { "/runx", false },
};

START_TEST(where_over_initds_own_mounts)
{
	char conf[256];
	struct unit_set *s;

	snprintf(conf, sizeof(conf),
		 "mounts = ( { what = \"tmpfs\"; where = \"%s\"; type = \"tmpfs\"; } );\n",
		 hiding_cases[_i].where);
	s = load(conf, "exec = [ \"/bin/x\" ];\n");
	if (!hiding_cases[_i].hides) {
		ck_assert_uint_eq(s->diags.n, 0);
		ck_assert_uint_eq(s->conf.n_mounts, 1);
	} else {
		char want[256];

		snprintf(want, sizeof(want),
			 "'mounts[0].where': '%s' would hide initd's own mount of /proc, /sys, "
			 "/sys/fs/cgroup, /dev or /run (its control socket is in /run/initd): "
			 "mount below it",
			 hiding_cases[_i].where);
		ck_assert_uint_eq(s->diags.n, 1);
		ck_assert_str_eq(s->diags.v[0].message, want);
		ck_assert_int_eq(s->diags.v[0].line, 1);
		ck_assert_uint_eq(s->conf.n_mounts, 0);
	}
	unit_set_free(s);
}
END_TEST

START_TEST(duplicate_where_and_undeclared)
{
	struct unit_set *s = load("mounts = (\n"
				  "  { what = \"tmpfs\"; where = \"/d\"; type = \"tmpfs\"; },\n"
				  "  { what = \"/dev/vda\"; where = \"/d\"; type = \"ext4\"; }\n);\n",
				  "exec = [ \"/bin/x\" ];\nrequires_mounts = [\n \"/d\",\n \"/srv\" ];\n");

	ck_assert_uint_eq(s->conf.n_mounts, 1);
	ck_assert_int_eq(s->diags.v[0].line, 3);
	ck_assert_str_eq(s->diags.v[0].message, "'mounts[1]': '/d' is mounted by an earlier entry");
	ck_assert(s->units[0]->bad);
	ck_assert_int_eq(s->units[0]->diags.v[0].line, 4);
	ck_assert_str_eq(s->units[0]->diags.v[0].message,
			 "requires_mounts: '/srv' is not in initd.conf's mounts "
			 "(mounts = ( { where = \"/srv\"; ... } ))");
	unit_set_free(s);
}
END_TEST

START_TEST(encode_round_trip)
{
	struct unit_set *s = load(MOUNTS, "exec = [ \"/bin/x\" ];\nrequires_mounts = [ \"/data\", \"/scratch\" ];\n");
	struct unit_set *d = NULL;
	void *buf = NULL;
	size_t len;

	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	ck_assert(unit_equal(s->units[0], d->units[0]));
	ck_assert_str_eq(d->units[0]->requires_mounts[1], "/scratch");
	ck_assert_int_eq(d->conf.mounts[0].on_failure, FAILURE_POWEROFF);
	ck_assert_int_eq(d->conf.mounts[0].format, MOUNT_FORMAT_EXT4);
	/* a changed mount is a changed configuration */
	d->conf.mounts[0].format = MOUNT_FORMAT_NONE;
	ck_assert(!initd_conf_equal(&s->conf, &d->conf));
	d->conf.mounts[0].format = MOUNT_FORMAT_EXT4;
	ck_assert(initd_conf_equal(&s->conf, &d->conf));
	d->conf.mounts[1].required = true;
	ck_assert(!initd_conf_equal(&s->conf, &d->conf));
	free(buf);
	unit_set_free(s);
	unit_set_free(d);
}
END_TEST

/* The decoder keeps what the parser refuses out of PID 1: a mount over
 * /run (it would hide the control socket), from a model that says so. */
START_TEST(decoded_mount_over_initds_own_is_refused)
{
	struct unit_set *s = load(MOUNTS, "exec = [ \"/bin/x\" ];\n");
	struct unit_set *d = NULL;
	void *buf = NULL;
	size_t len;

	free(s->conf.mounts[1].where);
	s->conf.mounts[1].where = strdup("/run");
	ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
	ck_assert_int_lt(unit_set_decode(buf, len, &d), 0);
	ck_assert_ptr_null(d);
	free(buf);
	unit_set_free(s);
}
END_TEST

/* ---- format's signature check (common/fssig.h) ------------------------------- */

START_TEST(blank_device_has_no_signature)
{
	static uint8_t zero[FS_SIGNATURE_PROBE];

	ck_assert_ptr_null(fs_signature(zero, sizeof(zero)));
	ck_assert_ptr_null(fs_signature(zero, 0));
}
END_TEST

static const struct {
	size_t offset;
	const char *magic;
	const char *name;
} sigs[] = {
	{ 0x438, "\x53\xef", "ext" }, { 0, "hsqs", "squashfs" }, { 1024, "\xe2\xe1\xf5\xe0", "erofs" },
	{ 0x10040, "_BHRfS_M", "btrfs" }, { 0, "XFSB", "xfs" }, { 0x8001, "CD001", "iso9660" },
	{ 4086, "SWAPSPACE2", "swap" }, { 512, "EFI PART", "gpt" }, { 510, "\x55\xaa", "dos" },
	{ 0, "LUKS\xba\xbe", "luks" }, { 1024, "\x10\x20\xf5\xf2", "f2fs" },
};

/* Each one is found, and a probe cut before it ends does not read it. */
START_TEST(each_signature_is_seen)
{
	static uint8_t buf[FS_SIGNATURE_PROBE];
	size_t len = strlen(sigs[_i].magic);

	memset(buf, 0, sizeof(buf));
	memcpy(buf + sigs[_i].offset, sigs[_i].magic, len);
	ck_assert_str_eq(fs_signature(buf, sizeof(buf)), sigs[_i].name);
	/* cut short: not that name (what was read is still not blank) */
	if (sigs[_i].offset + len > 1) {
		const char *cut = fs_signature(buf, sigs[_i].offset + len - 1);

		ck_assert(!cut || strcmp(cut, sigs[_i].name) != 0);
	}
}
END_TEST

/* Blank means zeros: whatever the list does not know (an LVM2 label, an MD
 * superblock, one stray byte) is data that format must never write over. */
START_TEST(unknown_contents_are_not_blank)
{
	static uint8_t buf[FS_SIGNATURE_PROBE];
	static const size_t at[] = { 0, 512, 4096, FS_SIGNATURE_PROBE - 1 };

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memset(buf, 0, sizeof(buf));
		buf[at[i]] = 1;
		ck_assert_str_eq(fs_signature(buf, sizeof(buf)), "data");
	}
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 512, "LABELONE", 8);     /* LVM2 physical volume */
	ck_assert_ptr_nonnull(fs_signature(buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 4096, "\xfc\x4e\x2b\xa9", 4);   /* MD 1.2 superblock */
	ck_assert_ptr_nonnull(fs_signature(buf, sizeof(buf)));
}
END_TEST

/* What the host's mke2fs makes is seen as ext, as the helper must. */
START_TEST(mke2fs_image_is_ext)
{
	char path[] = "/tmp/test_mounts.XXXXXX", cmd[512];
	static uint8_t buf[FS_SIGNATURE_PROBE];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 8 << 20), 0);
	snprintf(cmd, sizeof(cmd), "PATH=$PATH:/sbin:/usr/sbin mke2fs -q -F -t ext4 %s >/dev/null 2>&1",
		 path);
	if (system(cmd) == 0) {
		ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
		ck_assert_str_eq(fs_signature(buf, sizeof(buf)), "ext");
	}
	unlink(path);
	close(fd);
}
END_TEST

/* "bind,ro,nosuid,nodev": the kernel ignores those on the bind itself;
 * the entry is mounted read-only, nosuid and nodev all the same (it was
 * read-write). In a mount namespace of a child of the test's own. */
START_TEST(bind_keeps_its_flags)
{
	char src[] = "/tmp/test_mounts.XXXXXX", dst[] = "/tmp/test_mounts.XXXXXX";
	char data[256], bad[64];
	unsigned long flags;
	int status;
	pid_t pid;

	if (getuid() != 0)
		return;
	ck_assert_ptr_nonnull(mkdtemp(src));
	ck_assert_ptr_nonnull(mkdtemp(dst));
	ck_assert_int_eq(unit_mount_options_parse("none", "bind,ro,nosuid,nodev", &flags, data,
						  bad, sizeof(bad)), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct statvfs st;
		char f[64];

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		if (mount_entry(src, dst, "none", flags, data) < 0 || statvfs(dst, &st) < 0)
			_exit(3);
		snprintf(f, sizeof(f), "%s/w", dst);
		_exit((st.f_flag & ST_RDONLY) && (st.f_flag & ST_NOSUID) && (st.f_flag & ST_NODEV) &&
		      creat(f, 0644) < 0 ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %d", status);
	rmdir(src);
	rmdir(dst);
}
END_TEST

/* A checker the helper runs (fsck.TYPE) holds no fd of PID 1's: not the
 * helper's report pipe on 3 (its end-of-file is how PID 1 hears the
 * helper end; a checker leaving a child behind would hold it open). The
 * checker is a script of the test's on a tmpfs mounted over /sbin in a
 * mount namespace of a child of the test's own (a tmpfs: /tmp may be
 * noexec); the mount after it fails (no such type). */
START_TEST(fsck_tool_holds_no_report_pipe)
{
	char dir[] = "/tmp/test_mounts.XXXXXX", dev[64], where[64], seen[64], text[256];
	int p[2], status;
	pid_t pid;
	FILE *f;

	if (getuid() != 0)
		return;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(seen, sizeof(seen), "%s/seen", dir);
	snprintf(text, sizeof(text), "#!/bin/sh\n[ -e /proc/$$/fd/3 ] && echo open > %s || "
		 "echo closed > %s\nexit 0\n", seen, seen);
	test_put_file(dir, "dev", "");
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	snprintf(where, sizeof(where), "%s/where", dir);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "initd", MOUNT_HELPER_ARG, "0", dev, where, "leakfs", "", "1", "0",
				 (char *)mount_format_to_string(MOUNT_FORMAT_NONE), NULL };

		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", "/sbin", "tmpfs", 0, "mode=0755") < 0)
			_exit(2);
		test_put_file("/sbin", "fsck.leakfs", text);
		if (chmod("/sbin/fsck.leakfs", 0755) < 0 || dup2(p[1], MOUNT_HELPER_FD) < 0)
			_exit(3);
		mount_helper_main(ARRAY_SIZE(argv) - 1, argv);
	}
	close(p[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(p[0]);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper: %#x", status);
	f = fopen(seen, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_str_eq(text, "closed\n");
	unlink(seen);
	unlink(dev);
	rmdir(where);
	rmdir(dir);
}
END_TEST

/* ---- PID 1's side: the helper is initd-loader's mode ------------------------ */

static void mounting_done(struct mounts *ms, const struct mount_status *failed, void *data)
{
	*(int *)data = 1;
}

/* This test binary has no initd-loader beside it, so the helper cannot be
 * exec'd: each entry fails naming the loader and the exec's errno (one
 * helper start each), and the mounting still ends. No mount is tried: the
 * old forked helper would have failed them at "mount" instead. */
START_TEST(helper_exec_failure_is_each_entrys_reason)
{
	char dir[] = "/tmp/test_mounts.XXXXXX", a[64], b[64], why[256];
	struct unit_mount m[2];
	struct initd_conf conf = { .mounts = m, .n_mounts = 2 };
	struct mounts *ms = NULL;
	struct loop *l = NULL;
	int done = 0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	for (size_t i = 0; i < 2; i++)
		m[i] = (struct unit_mount){ .what = "none", .where = i ? b : a, .type = "no-such-fs",
					    .required = false, .timeout_usec = 5 * USEC_PER_SEC,
					    .on_failure = FAILURE_NONE };
	ck_assert_int_eq(loop_new(&l), 0);
	ck_assert_int_eq(mounts_start(l, &conf, mounting_done, &done, &ms), 0);
	for (int n = 0; !done && n < 500; n++)
		loop_run_once(l, 10);
	ck_assert(done);
	for (size_t i = 0; i < 2; i++) {
		ck_assert(!mounts_is_mounted(ms, m[i].where, why, sizeof(why)));
		ck_assert_msg(strstr(why, "cannot exec initd-loader, the mount helper: No such file"),
			      "%s", why);
	}
	mounts_free(ms);
	loop_free(l);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	rmdir(a);
	rmdir(b);
	rmdir(dir);
}
END_TEST

/* The helper's exec fd where the child puts its pipe: PID 1's first open
 * of initd-loader takes fd 3 when nothing else holds it (a boot whose
 * early steps had not opened one yet). The child must not exec the pipe.
 * Run in a copy of this binary beside a copy named initd-loader (it is
 * the helper too: main below), with every fd above 2 closed first. */
static int exe_on_fd_3(void)
{
	char dir[] = "/tmp/test_mounts.XXXXXX", a[64], why[256] = "";
	struct unit_mount m;
	struct initd_conf conf = { .mounts = &m, .n_mounts = 1 };
	struct mounts *ms = NULL;
	struct loop *l = NULL;
	int done = 0, r = 0;

	close_range(3, ~0U, 0);
	if (loader_exe_fd() != 3)
		return 10;
	/* No mount can succeed (no such type); still none on the machine's
	 * tree. Without the right to a namespace, none can be made at all. */
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 15;
	if (!mkdtemp(dir))
		return 11;
	snprintf(a, sizeof(a), "%s/a", dir);
	m = (struct unit_mount){ .what = "none", .where = a, .type = "no-such-fs",
				 .timeout_usec = 5 * USEC_PER_SEC, .on_failure = FAILURE_NONE };
	if (loop_new(&l) < 0 || mounts_start(l, &conf, mounting_done, &done, &ms) < 0)
		return 12;
	for (int n = 0; !done && n < 500; n++)
		loop_run_once(l, 10);
	if (!done || mounts_is_mounted(ms, a, why, sizeof(why)))
		r = 13;
	else if (!strstr(why, "failed: mount: "))   /* the helper's own report */
		r = 14;
	if (r)
		fprintf(stderr, "exe_on_fd_3: %d: %s\n", r, why);
	mounts_free(ms);
	loop_free(l);
	rmdir(a);
	rmdir(dir);
	return r;
}

START_TEST(helper_exe_on_fd_3_is_not_the_pipe)
{
	test_run_self_with_loader("--exe-on-fd-3");
}
END_TEST

/* A mount point that is a symlink is refused, not mounted at its target:
 * the shutdown's unmount (UMOUNT_NOFOLLOW) would fail on it, and the old
 * code left the tmpfs there for the last lazy detach. In a mount namespace
 * of its own, beside a copy of the binary named initd-loader. */
static int symlink_where(void)
{
	char dir[] = "/tmp/test_mounts.XXXXXX", tgt[64], lnk[64], why[256] = "", line[4096];
	struct unit_mount m;
	struct initd_conf conf = { .mounts = &m, .n_mounts = 1 };
	struct mounts *ms = NULL;
	struct loop *l = NULL;
	int done = 0, r = 0;
	FILE *f;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 0;   /* no namespace to try it in (not root) */
	if (!mkdtemp(dir))
		return 11;
	snprintf(tgt, sizeof(tgt), "%s/target", dir);
	snprintf(lnk, sizeof(lnk), "%s/data", dir);
	if (mkdir(tgt, 0755) < 0 || symlink(tgt, lnk) < 0)
		return 12;
	m = (struct unit_mount){ .what = "tmpfs", .where = lnk, .type = "tmpfs",
				 .timeout_usec = 5 * USEC_PER_SEC, .on_failure = FAILURE_NONE };
	if (loop_new(&l) < 0 || mounts_start(l, &conf, mounting_done, &done, &ms) < 0)
		return 13;
	for (int n = 0; !done && n < 500; n++)
		loop_run_once(l, 10);
	if (!done || mounts_is_mounted(ms, lnk, why, sizeof(why)))
		r = 14;
	else if (!strstr(why, "the mount point is a symbolic link"))
		r = 15;
	f = fopen("/proc/self/mountinfo", "re");
	while (r == 0 && f && fgets(line, sizeof(line), f))
		if (strstr(line, tgt))
			r = 16;   /* mounted at the link's target */
	if (f)
		fclose(f);
	if (r)
		fprintf(stderr, "symlink_where: %d: %s\n", r, why);
	mounts_free(ms);
	loop_free(l);
	umount2(tgt, MNT_DETACH);
	unlink(lnk);
	rmdir(tgt);
	rmdir(dir);
	return r;
}

START_TEST(a_symlinked_mount_point_is_refused)
{
	test_run_self_with_loader("--symlink-where");
}
END_TEST

static Suite *mounts_suite(void)
{
	Suite *s = suite_create("mounts");
	TCase *tc = tcase_create("mounts");

	/* the copies of this binary wait up to 5 s for their helper */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, options_split);
	tcase_add_test(tc, a_symlinked_mount_point_is_refused);
	tcase_add_test(tc, tags);
	tcase_add_test(tc, schema_and_defaults);
	tcase_add_loop_test(tc, bad_entries_have_lines, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, duplicate_where_and_undeclared);
	tcase_add_loop_test(tc, where_over_initds_own_mounts, 0, ARRAY_SIZE(hiding_cases));
	tcase_add_loop_test(tc, cross_key_errors_are_at_the_key, 0,
			    (int)(sizeof(cross_cases) / sizeof(cross_cases[0])));
	tcase_add_test(tc, pseudo_sources_stay_good);
	tcase_add_test(tc, where_and_requires_mounts_at_their_lines);
	tcase_add_test(tc, encode_round_trip);
	tcase_add_test(tc, decoded_mount_over_initds_own_is_refused);
	tcase_add_test(tc, blank_device_has_no_signature);
	tcase_add_loop_test(tc, each_signature_is_seen, 0, (int)(sizeof(sigs) / sizeof(sigs[0])));
	tcase_add_test(tc, unknown_contents_are_not_blank);
	tcase_add_test(tc, mke2fs_image_is_ext);
	tcase_add_test(tc, bind_keeps_its_flags);
	tcase_add_test(tc, fsck_tool_holds_no_report_pipe);
	tcase_add_test(tc, helper_exec_failure_is_each_entrys_reason);
	tcase_add_test(tc, helper_exe_on_fd_3_is_not_the_pipe);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	/* This binary as initd-loader's mount helper, or as the PID 1 side of
	 * helper_exe_on_fd_3_is_not_the_pipe. */
	if (mount_helper_requested(argc, argv))
		mount_helper_main(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "--exe-on-fd-3"))
		return exe_on_fd_3();
	if (argc == 2 && !strcmp(argv[1], "--symlink-where"))
		return symlink_where();
	sr = srunner_create(mounts_suite());

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
