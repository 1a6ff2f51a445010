/* test_imagecheck.c — issue 16: `initd --check --root` (units/imagecheck.c)
 * on a crafted tree: executables (absolute symlinks resolved inside the
 * root, never on the build host; a unit's rootfs.path; a bind's source),
 * users and groups from the tree's own /etc files, initd.conf's modules,
 * the files that must be in the image, runtime paths left alone, and
 * autostart = false units reported as warnings only. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "units/unit.h"

static char root[64];

static void put(const char *path, const char *text, mode_t mode)
{
	char full[256], dir[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", full);
	ck_assert_int_eq(system(dir), 0);
	f = fopen(full, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(full, mode), 0);
}

static void link_to(const char *target, const char *path)
{
	char full[512];

	snprintf(full, sizeof(full), "%s%s", root, path);
	ck_assert_int_eq(symlink(target, full), 0);
}

/* The tree: a busybox-like /bin with an absolute symlink, passwd and group,
 * one kernel's modules, a unit rootfs, and units good and bad. */
static void make_tree(void)
{
	snprintf(root, sizeof(root), "/tmp/test_imagecheck.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	put("/bin/busybox", "#!/bin/busybox\n", 0755);
	link_to("/bin/busybox", "/bin/sh");
	link_to("/usr/bin/env", "/bin/hostenv");   /* on the host, not in the tree */
	put("/bin/data", "not a program\n", 0644);
	/* a 1023-byte piece of a long line, then "bob:" (not a user) */
	{
		char passwd[1200];

		snprintf(passwd, sizeof(passwd), "root:x:0:0::/root:/bin/sh\n"
			 "www:x:33:33::/www:/bin/false\nlong:%01018dbob:x:1:1::/:/bin/sh\n", 0);
		put("/etc/passwd", passwd, 0644);
	}
	put("/etc/group", "root:x:0:\nwww:x:33:\n", 0644);
	put("/etc/app.env", "A=1\n", 0644);
	put("/lib/modules/6.1.0/kernel/net/good.ko", "", 0644);
	put("/lib/modules/6.1.0/kernel/drivers/i2c/i2c-dev.ko", "", 0644);
	put("/lib/modules/6.1.0/kernel/drivers/md/dm_mod.ko", "", 0644);
	put("/lib/modules/6.1.0/modules.builtin",
	    "kernel/drivers/virtio/virtio.ko\nkernel/fs/nls/nls-base.ko\n", 0644);
	put("/srv/box/bin/run", "", 0755);
	put("/srv/tools/tool", "", 0755);
	put("/etc/initd/initd.conf",
	    "modules = [ \"good\",\n  \"missing\", \"virtio\", \"nls_base\", \"i2c_dev\", \"dm-mod\" ];\ncontrol_group = \"wheel\";\n"
	    "mounts = ( { what = \"LABEL=d\"; where = \"/data\"; type = \"ext4\"; } );\n", 0644);
	put("/etc/initd/units/ok.unit",
	    "exec = [ \"/bin/sh\", \"-c\", \"true\" ];\nuser = \"www\";\ngroup = \"www\";\n"
	    "environment_files = [ \"/etc/app.env\", \"-/etc/none.env\", \"/run/x.env\" ];\n", 0644);
	put("/etc/initd/units/onboot.unit",
	    "exec = [ \"/data/bin/app\" ];\nuser = \"1000\";\n", 0644);
	put("/etc/initd/units/bad.unit",
	    "exec = [ \"/bin/nope\" ];\n\nuser = \"bob\";\ngroup = \"staff\";\n"
	    "environment_files = [ \"/etc/app.env\", \"/etc/gone.env\" ];\n", 0644);
	put("/etc/initd/units/noexec.unit", "exec = [ \"/bin/data\" ];\n", 0644);
	put("/etc/initd/units/escape.unit", "exec = [ \"/bin/hostenv\" ];\n", 0644);
	put("/etc/initd/units/box.unit",
	    "exec = [ \"/bin/run\" ];\nnamespaces = [ \"mount\" ];\n"
	    "rootfs = { path = \"/srv/box\";\n  binds = ( { source = \"/srv/tools\"; target = \"/opt\"; } ); };\n"
	    "ready = { exec = [ \"/opt/tool\" ]; };\n", 0644);
	put("/etc/initd/units/nobox.unit",
	    "exec = [ \"/bin/run\" ];\nnamespaces = [ \"mount\" ];\n"
	    "rootfs = {\n  path = \"/srv/nothere\"; };\n", 0644);
	put("/etc/initd/units/hand.unit", "exec = [ \"/bin/nope\" ];\nautostart = false;\n", 0644);
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* The diagnostic of file (a unit's base name or "initd.conf") whose message
 * holds needle: its line, or -1 when there is none. */
static int diag_line(const struct unit_diags *d, const char *file, const char *needle)
{
	for (size_t i = 0; i < d->n; i++) {
		const char *base = strrchr(d->v[i].file, '/');

		base = base ? base + 1 : d->v[i].file;
		if (!strcmp(base, file) && strstr(d->v[i].message, needle))
			return d->v[i].line;
	}
	return -1;
}

START_TEST(root_check)
{
	char conf[256], units[256];
	struct unit_set *s = NULL;
	size_t before;

	make_tree();
	snprintf(conf, sizeof(conf), "%s/etc/initd/initd.conf", root);
	snprintf(units, sizeof(units), "%s/etc/initd/units", root);
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	for (size_t i = 0; i < s->diags.n; i++)
		ck_abort_msg("parse: %s:%d: %s", s->diags.v[i].file, s->diags.v[i].line,
			     s->diags.v[i].message);
	before = s->warnings.n;
	ck_assert_int_eq(unit_set_check_root(s, root), 0);

	/* initd.conf: each missing module at its element's line, the group */
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "missing not found under"), 2);
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "modules: good "), -1);
	/* built into the kernel (modules.builtin): nothing to load, no error */
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "virtio not found"), -1);
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "nls_base not found"), -1);
	/* a NAME.ko is found with '-' and '_' alike, as the kernel takes them */
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "i2c_dev not found"), -1);
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "dm-mod not found"), -1);
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "control_group: wheel is not in /etc/group"), 3);
	/* an absolute symlink resolves inside the root: /bin/sh is busybox;
	 * numeric users, optional and runtime files, mounted paths pass */
	ck_assert_int_eq(diag_line(&s->diags, "ok.unit", ""), -1);
	ck_assert_int_eq(diag_line(&s->diags, "onboot.unit", ""), -1);
	ck_assert_int_eq(diag_line(&s->diags, "bad.unit", "exec: /bin/nope not found"), 1);
	ck_assert_int_eq(diag_line(&s->diags, "bad.unit", "user: bob is not in /etc/passwd"), 3);
	ck_assert_int_eq(diag_line(&s->diags, "bad.unit", "group: staff is not in /etc/group"), 4);
	ck_assert_int_eq(diag_line(&s->diags, "bad.unit", "environment_files: /etc/gone.env not found"), 5);
	ck_assert_int_eq(diag_line(&s->diags, "bad.unit", "environment_files: /etc/app.env "), -1);
	ck_assert_int_eq(diag_line(&s->diags, "noexec.unit", "/bin/data is not an executable file"), 1);
	/* the host has /usr/bin/env; the tree has not */
	ck_assert_int_eq(diag_line(&s->diags, "escape.unit", "/bin/hostenv not found"), 1);
	/* in the unit's rootfs, and through a bind's source */
	ck_assert_int_eq(diag_line(&s->diags, "box.unit", ""), -1);
	ck_assert_int_eq(diag_line(&s->diags, "nobox.unit", "rootfs.path: /srv/nothere not found"), 4);
	ck_assert_int_eq(diag_line(&s->diags, "nobox.unit", "exec"), -1);
	/* started by hand only: a warning, never an error */
	ck_assert_int_eq(diag_line(&s->diags, "hand.unit", ""), -1);
	ck_assert_int_eq(diag_line(&s->warnings, "hand.unit", "exec: /bin/nope not found"), 1);
	ck_assert_uint_eq(s->warnings.n, before + 1);
	ck_assert_uint_eq(s->diags.n, 9);
	unit_set_free(s);
	remove_tree();
}
END_TEST

/* The modules dir missing altogether; a root that is not there. */
START_TEST(root_check_nothing)
{
	char conf[256], units[256];
	struct unit_set *s = NULL;

	make_tree();
	snprintf(conf, sizeof(conf), "%s/etc/initd/initd.conf", root);
	snprintf(units, sizeof(units), "%s/etc/initd/units", root);
	ck_assert_int_eq(unit_set_load(conf, units, &s), 0);
	ck_assert_int_eq(unit_set_check_root(s, "/nonexistent/root"), -ENOENT);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s/lib/modules'", root);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert_int_eq(unit_set_check_root(s, root), 0);
	ck_assert_int_eq(diag_line(&s->diags, "initd.conf", "good not found: no /lib/modules/KVER"), 1);
	unit_set_free(s);
	remove_tree();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("imagecheck");
	TCase *tc = tcase_create("imagecheck");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, root_check);
	tcase_add_test(tc, root_check_nothing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
