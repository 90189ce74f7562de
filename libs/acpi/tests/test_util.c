/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host-test helpers: captured-table loading, fake physical memory behind
 * the library's map callback, and the synthetic table builder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

const char *test_data_dir = "testdata";

uint8_t *test_dup(const void *data, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, data, len);
	return p;
}

uint8_t *test_load_file(const char *machine, const char *file, size_t *len)
{
	char path[1024];
	uint8_t tmp[65536];

	snprintf(path, sizeof(path), "%s/%s/%s", test_data_dir, machine, file);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t n = fread(tmp, 1, sizeof(tmp), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(tmp));
	*len = n;
	return test_dup(tmp, n);
}

static const void *test_map(void *ctx, uint64_t phys, size_t len)
{
	struct test_mem *m = ctx;

	for (size_t i = 0; i < m->count; i++) {
		struct test_region *r = &m->r[i];
		if (phys >= r->phys && phys - r->phys <= r->len &&
		    len <= r->len - (phys - r->phys)) {
			m->maps++;
			return r->data + (phys - r->phys);
		}
	}
	m->fails++;
	return NULL;
}

static void test_unmap(void *ctx, const void *ptr, size_t len)
{
	struct test_mem *m = ctx;

	(void)len;
	assert_non_null(ptr);
	m->unmaps++;
}

void test_mem_init(struct test_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->ops.map = test_map;
	m->ops.unmap = test_unmap;
	m->ops.ctx = m;
}

struct test_region *test_mem_add(struct test_mem *m, const char *name, uint64_t phys,
                                 const void *data, size_t len)
{
	assert_true(m->count < TEST_MAX_REGIONS);
	struct test_region *r = &m->r[m->count++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->phys = phys;
	r->len = len;
	r->data = test_dup(data, len);
	return r;
}

void test_mem_load(struct test_mem *m, const char *machine)
{
	char path[1024], line[256], name[64];
	unsigned long long phys;
	size_t len, file_len;

	test_mem_init(m);
	snprintf(path, sizeof(path), "%s/%s/manifest.txt", test_data_dir, machine);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%63s %llx %zu", name, &phys, &len), 3);
		uint8_t *data = test_load_file(machine, name, &file_len);
		assert_int_equal(file_len, len);
		test_mem_add(m, name, phys, data, len);
		free(data);
	}
	fclose(f);
	assert_true(m->count > 0);
}

struct test_region *test_mem_find(struct test_mem *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (strcmp(m->r[i].name, name) == 0)
			return &m->r[i];
	fail_msg("no region %s", name);
	return NULL;
}

void test_mem_free(struct test_mem *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->r[i].data);
	m->count = 0;
}

void test_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void test_put32(uint8_t *p, uint32_t v)
{
	test_put16(p, (uint16_t)v);
	test_put16(p + 2, (uint16_t)(v >> 16));
}

void test_put64(uint8_t *p, uint64_t v)
{
	test_put32(p, (uint32_t)v);
	test_put32(p + 4, (uint32_t)(v >> 32));
}

void test_fix_checksum(uint8_t *t, size_t size)
{
	uint32_t len =
	        (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
	uint8_t sum = 0;

	if (len > size)
		len = (uint32_t)size;
	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)(0x100 - sum);
}

void test_set_length(uint8_t *t, size_t size, uint32_t len)
{
	test_put32(t + 4, len);
	test_fix_checksum(t, size);
}

void tb_init(struct test_builder *b, const char *sig, uint8_t revision)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->buf, sig, 4);
	b->buf[8] = revision;
	memcpy(b->buf + 10, "WARD  ", 6);
	memcpy(b->buf + 16, "TESTTABL", 8);
	b->len = 36;
}

void tb_bytes(struct test_builder *b, const void *p, size_t n)
{
	assert_true(b->len + n <= sizeof(b->buf));
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void tb_u8(struct test_builder *b, uint8_t v)
{
	tb_bytes(b, &v, 1);
}

void tb_u16(struct test_builder *b, uint16_t v)
{
	uint8_t t[2];
	test_put16(t, v);
	tb_bytes(b, t, 2);
}

void tb_u32(struct test_builder *b, uint32_t v)
{
	uint8_t t[4];
	test_put32(t, v);
	tb_bytes(b, t, 4);
}

void tb_u64(struct test_builder *b, uint64_t v)
{
	uint8_t t[8];
	test_put64(t, v);
	tb_bytes(b, t, 8);
}

size_t tb_mark(struct test_builder *b)
{
	return b->len;
}

void tb_end_sub(struct test_builder *b, size_t mark, size_t field_off, int width)
{
	size_t len = b->len - mark;

	if (width == 1) {
		assert_true(len <= 0xff);
		b->buf[mark + field_off] = (uint8_t)len;
	} else {
		assert_true(len <= 0xffff);
		test_put16(b->buf + mark + field_off, (uint16_t)len);
	}
}

uint8_t *tb_finish(struct test_builder *b, size_t *len)
{
	test_set_length(b->buf, b->len, (uint32_t)b->len);
	*len = b->len;
	return test_dup(b->buf, b->len);
}

struct acpi_table test_check(const uint8_t *buf, size_t len)
{
	struct acpi_table t;

	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_OK);
	return t;
}
