/* test_elfdeps.c — an ELF program's loader and libraries (common/elfdeps.h):
 * crafted objects in memory (good, then broken one field at a time, then
 * cut at every length), the host's own /bin/ls, and closures over files in
 * a temporary directory ($ORIGIN, a library not found, a directory). */
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/elfdeps.h"

/* ---- a crafted object ------------------------------------------------------ */

#define IMG_SIZE   1024
#define OFF_PHDR   64
#define OFF_INTERP 256
#define OFF_STRTAB 320
#define OFF_DYN    512
#define VADDR      0x400000ULL

struct img {
	unsigned char b[IMG_SIZE];
	size_t strsz;
};

static Elf64_Ehdr *ehdr(struct img *m) { return (Elf64_Ehdr *)m->b; }
static Elf64_Phdr *phdr(struct img *m, int i) { return (Elf64_Phdr *)(m->b + OFF_PHDR) + i; }
static Elf64_Dyn *dyn(struct img *m, int i) { return (Elf64_Dyn *)(m->b + OFF_DYN) + i; }

static uint64_t add_string(struct img *m, const char *s)
{
	uint64_t off = m->strsz;

	memcpy(m->b + OFF_STRTAB + off, s, strlen(s) + 1);
	m->strsz += strlen(s) + 1;
	return off;
}

/* An ET_DYN for this machine: PT_INTERP (when interp), PT_LOAD of the
 * whole image, PT_DYNAMIC with needed[] and runpath (when given). */
static void img_build(struct img *m, const char *interp, const char *const *needed,
		      const char *runpath)
{
	Elf64_Ehdr *e = ehdr(m);
	int ph = 0, d = 0;

	memset(m, 0, sizeof(*m));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_DYN;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = OFF_PHDR;
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(Elf64_Phdr);
	if (interp) {
		strcpy((char *)m->b + OFF_INTERP, interp);
		*phdr(m, ph++) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = OFF_INTERP,
					       .p_filesz = strlen(interp) + 1 };
	}
	*phdr(m, ph++) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_vaddr = VADDR, .p_filesz = IMG_SIZE,
				       .p_memsz = IMG_SIZE };
	m->strsz = 1;   /* offset 0: the empty string */
	for (const char *const *n = needed; n && *n; n++)
		*dyn(m, d++) = (Elf64_Dyn){ DT_NEEDED, { add_string(m, *n) } };
	if (runpath)
		*dyn(m, d++) = (Elf64_Dyn){ DT_RUNPATH, { add_string(m, runpath) } };
	*dyn(m, d++) = (Elf64_Dyn){ DT_STRTAB, { VADDR + OFF_STRTAB } };
	*dyn(m, d++) = (Elf64_Dyn){ DT_STRSZ, { m->strsz } };
	*dyn(m, d++) = (Elf64_Dyn){ DT_NULL, { 0 } };
	*phdr(m, ph++) = (Elf64_Phdr){ .p_type = PT_DYNAMIC, .p_offset = OFF_DYN,
				       .p_filesz = (uint64_t)d * sizeof(Elf64_Dyn) };
	e->e_phnum = (Elf64_Half)ph;
}

static const char *const two_libs[] = { "libfoo.so.1", "libbar.so.2", NULL };

static void img_default(struct img *m)
{
	img_build(m, "/lib64/ld-test.so.2", two_libs, "$ORIGIN/../lib");
}

static int parse(struct img *m, size_t size, struct elf_deps *d)
{
	return elf_deps_parse_buffer(m->b, size, d);
}

START_TEST(crafted_object_gives_interp_needed_runpath)
{
	struct img m;
	struct elf_deps d;

	img_default(&m);
	ck_assert_int_eq(parse(&m, IMG_SIZE, &d), 0);
	ck_assert(d.loadable);
	ck_assert_str_eq(d.interp, "/lib64/ld-test.so.2");
	ck_assert_str_eq(d.needed[0], "libfoo.so.1");
	ck_assert_str_eq(d.needed[1], "libbar.so.2");
	ck_assert_ptr_null(d.needed[2]);
	ck_assert_str_eq(d.runpath, "$ORIGIN/../lib");
	elf_deps_free(&d);
}
END_TEST

START_TEST(what_is_not_a_native_elf_needs_nothing)
{
	static const char script[] = "#!/bin/sh\necho hi\n";
	struct img m;
	struct elf_deps d;

	ck_assert_int_eq(elf_deps_parse_buffer(script, sizeof(script) - 1, &d), 0);
	ck_assert(!d.loadable);
	ck_assert_ptr_null(d.needed[0]);
	elf_deps_free(&d);
	ck_assert_int_eq(elf_deps_parse_buffer("", 0, &d), 0);
	ck_assert(!d.loadable);
	elf_deps_free(&d);
	img_default(&m);
	m.b[EI_CLASS] = ELFCLASS32;
	ck_assert_int_eq(parse(&m, IMG_SIZE, &d), 0);
	ck_assert(!d.loadable);
	elf_deps_free(&d);
	img_default(&m);
	ehdr(&m)->e_machine = EM_ARM;
	ck_assert_int_eq(parse(&m, IMG_SIZE, &d), 0);
	ck_assert(!d.loadable);
	elf_deps_free(&d);
	/* a static program: no PT_INTERP, no PT_DYNAMIC */
	img_build(&m, NULL, NULL, NULL);
	ehdr(&m)->e_phnum = 1;
	ck_assert_int_eq(parse(&m, IMG_SIZE, &d), 0);
	ck_assert(d.loadable);
	ck_assert_ptr_null(d.interp);
	ck_assert_ptr_null(d.needed[0]);
	elf_deps_free(&d);
}
END_TEST

/* Each breaks the good object one way; each must give -ENOEXEC. */
static void break_phoff(struct img *m) { ehdr(m)->e_phoff = UINT64_MAX - 8; }
static void break_phnum(struct img *m) { ehdr(m)->e_phnum = 0xffff; }
static void break_phentsize(struct img *m) { ehdr(m)->e_phentsize = 32; }
static void break_interp_size(struct img *m) { phdr(m, 0)->p_filesz = 1u << 30; }
static void break_interp_nul(struct img *m) { phdr(m, 0)->p_filesz = 4; }
static void break_dyn_offset(struct img *m) { phdr(m, 2)->p_offset = IMG_SIZE - 8; }
static void break_dyn_count(struct img *m) { phdr(m, 2)->p_filesz = UINT64_MAX; }
static void break_needed_offset(struct img *m) { dyn(m, 0)->d_un.d_val = 1u << 20; }
static void break_strsz(struct img *m) { dyn(m, 4)->d_un.d_val = UINT64_MAX; }
static void break_strtab_addr(struct img *m) { dyn(m, 3)->d_un.d_val = 16; }
static void break_strtab_wrap(struct img *m) { dyn(m, 3)->d_un.d_val = UINT64_MAX - 4; }
static void break_load_offset(struct img *m) { phdr(m, 1)->p_offset = UINT64_MAX - 100; }
static void break_unterminated(struct img *m)
{
	/* the table ends inside "libbar.so.2": its last name has no NUL */
	dyn(m, 4)->d_un.d_val = 20;
	dyn(m, 2)->d_tag = DT_DEBUG;   /* no runpath past the end either */
}
static void break_empty_name(struct img *m) { dyn(m, 0)->d_un.d_val = 0; }

static void (*const breakers[])(struct img *) = {
	break_phoff, break_phnum, break_phentsize, break_interp_size, break_interp_nul,
	break_dyn_offset, break_dyn_count, break_needed_offset, break_strsz, break_strtab_addr,
	break_strtab_wrap, break_load_offset, break_unterminated, break_empty_name,
};

START_TEST(each_bad_field_is_an_error_not_a_crash)
{
	struct img m;
	struct elf_deps d = { .interp = (char *)"untouched" };

	img_default(&m);
	breakers[_i](&m);
	ck_assert_int_eq(parse(&m, IMG_SIZE, &d), -ENOEXEC);
	ck_assert_str_eq(d.interp, "untouched");
}
END_TEST

START_TEST(every_truncation_is_an_error_or_fewer_needs)
{
	struct img m;

	img_default(&m);
	for (size_t n = 0; n < IMG_SIZE; n++) {
		/* a copy of exactly n bytes: ASan sees any read past it */
		unsigned char *copy = malloc(n ? n : 1);
		struct elf_deps d;
		int r;
		memcpy(copy, m.b, n);
		r = elf_deps_parse_buffer(copy, n, &d);
		if (n < sizeof(Elf64_Ehdr) && n >= EI_NIDENT)
			ck_assert_int_eq(r, -ENOEXEC);
		else if (n >= OFF_DYN + 6 * sizeof(Elf64_Dyn))
			ck_assert_int_eq(r, 0);
		else
			ck_assert(r == 0 || r == -ENOEXEC);
		if (r == 0)
			elf_deps_free(&d);
		free(copy);
	}
}
END_TEST

/* ---- real files ------------------------------------------------------------ */

static bool has_suffix(char **v, const char *suffix)
{
	for (; v && *v; v++)
		if (strlen(*v) >= strlen(suffix) && strcmp(*v + strlen(*v) - strlen(suffix), suffix) == 0)
			return true;
	return false;
}

START_TEST(bin_ls_needs_libc_and_its_loader)
{
	int fd = open("/bin/ls", O_RDONLY | O_CLOEXEC);
	struct elf_deps d;
	char **files = NULL, why[256];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(elf_deps_parse_fd(fd, &d), 0);
	close(fd);
	ck_assert(d.loadable);
	ck_assert_ptr_nonnull(d.interp);
	ck_assert(has_suffix(d.needed, "libc.so.6"));
	ck_assert_int_eq(elf_deps_closure((char *[]){ "/bin/ls", NULL }, &files, why, sizeof(why)), 0);
	ck_assert(has_suffix(files, "/libc.so.6"));
	ck_assert(has_suffix(files, d.interp));
	for (char **f = files; *f; f++) {
		ck_assert_int_eq((*f)[0], '/');
		ck_assert_int_eq(access(*f, R_OK), 0);
		for (char **g = f + 1; *g; g++)
			ck_assert_str_ne(*f, *g);
		ck_assert_str_ne(*f, "/bin/ls");
	}
	elf_deps_files_free(files);
	elf_deps_free(&d);
}
END_TEST

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_elfdeps.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_img(const char *rel, const struct img *m)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, m->b, IMG_SIZE), IMG_SIZE);
	close(fd);
}

START_TEST(closure_follows_origin_and_names_what_is_missing)
{
	static const char *const one[] = { "libfoo.so.1", NULL };
	static const char *const libc_only[] = { "libc.so.6", NULL };
	char prog[128], want[256], why[256], **files = NULL;
	struct img m;

	snprintf(want, sizeof(want), "%s/bin", dir);
	ck_assert_int_eq(mkdir(want, 0755), 0);
	snprintf(prog, sizeof(prog), "%s/bin/prog", dir);
	snprintf(want, sizeof(want), "%s/lib", dir);
	ck_assert_int_eq(mkdir(want, 0755), 0);
	/* prog needs libfoo.so.1 from $ORIGIN/../lib, which needs libc.so.6 */
	img_build(&m, NULL, one, "$ORIGIN/../lib");
	write_img("bin/prog", &m);
	img_build(&m, NULL, libc_only, NULL);
	write_img("lib/libfoo.so.1", &m);
	ck_assert_int_eq(elf_deps_closure((char *[]){ prog, "/etc", NULL }, &files, why,
					  sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s/bin/../lib/libfoo.so.1", dir);
	ck_assert_str_eq(files[0], want);
	ck_assert(has_suffix(files, "/libc.so.6"));
	elf_deps_files_free(files);
	/* the same prog without its library */
	snprintf(want, sizeof(want), "%s/lib/libfoo.so.1", dir);
	ck_assert_int_eq(unlink(want), 0);
	ck_assert_int_eq(elf_deps_closure((char *[]){ prog, NULL }, &files, why, sizeof(why)),
			 -ENOENT);
	snprintf(want, sizeof(want), "libfoo.so.1 (needed by %s): not found", prog);
	ck_assert_str_eq(why, want);
	/* a listed file that is not there */
	ck_assert_int_eq(elf_deps_closure((char *[]){ "/nonexistent/x", NULL }, &files, why,
					  sizeof(why)), -ENOENT);
	ck_assert_str_eq(why, "/nonexistent/x: No such file or directory");
}
END_TEST

START_TEST(closure_of_a_malformed_object_is_an_error)
{
	char prog[128], why[256], **files = NULL;
	struct img m;

	img_default(&m);
	break_needed_offset(&m);
	write_img("bad", &m);
	snprintf(prog, sizeof(prog), "%s/bad", dir);
	ck_assert_int_eq(elf_deps_closure((char *[]){ prog, NULL }, &files, why, sizeof(why)),
			 -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(why, "Exec format error"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("elfdeps");
	TCase *tc = tcase_create("parse"), *tf = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, crafted_object_gives_interp_needed_runpath);
	tcase_add_test(tc, what_is_not_a_native_elf_needs_nothing);
	tcase_add_loop_test(tc, each_bad_field_is_an_error_not_a_crash, 0, (int)(sizeof(breakers) /
										 sizeof(breakers[0])));
	tcase_add_test(tc, every_truncation_is_an_error_or_fewer_needs);
	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_add_test(tf, bin_ls_needs_libc_and_its_loader);
	tcase_add_test(tf, closure_follows_origin_and_names_what_is_missing);
	tcase_add_test(tf, closure_of_a_malformed_object_is_an_error);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
