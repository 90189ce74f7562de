/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel formatted output. Pure formatting (no hardware), so the host unit
 * tests exercise exactly the code the kernel runs.
 */
#include <stdint.h>
#include <stdbool.h>
#include <kernel/printf.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			out_char(o, pad);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (left)
		while (fill-- > 0)
			out_char(o, ' ');
}

static void out_number(struct out *o, uint64_t v, bool negative, unsigned base, int width,
                       bool left, char pad)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (negative) {
		if (pad == '0' && width > 0) {
			out_char(o, '-');
			width--;
		} else {
			tmp[sizeof(tmp) - 1 - n++] = '-';
		}
	}
	out_padded(o, tmp + sizeof(tmp) - n, n, width, left, pad);
}

static uint64_t fetch_unsigned(va_list *ap, int longness)
{
	if (longness == 0)
		return va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned long);
}

static int64_t fetch_signed(va_list *ap, int longness)
{
	if (longness == 0)
		return va_arg(*ap, int);
	return va_arg(*ap, long);
}

static const char *format_one(struct out *o, const char *f, va_list *ap)
{
	bool left = false;
	char pad = ' ';
	int width = 0, longness = 0;

	for (;; f++) {
		if (*f == '-')
			left = true;
		else if (*f == '0')
			pad = '0';
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		width = width * 10 + (*f++ - '0');
	while (*f == 'l' || *f == 'z')
		longness++, f++;

	switch (*f) {
	case 'c':
		out_char(o, (char)va_arg(*ap, int));
		break;
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t n = 0;
		if (s == NULL)
			s = "(null)";
		while (s[n] != '\0')
			n++;
		out_padded(o, s, n, width, left, ' ');
		break;
	}
	case 'd':
	case 'i': {
		int64_t v = fetch_signed(ap, longness);
		out_number(o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, width, left, pad);
		break;
	}
	case 'u':
		out_number(o, fetch_unsigned(ap, longness), false, 10, width, left, pad);
		break;
	case 'x':
		out_number(o, fetch_unsigned(ap, longness), false, 16, width, left, pad);
		break;
	case 'p':
		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (uint64_t)(uintptr_t)va_arg(*ap, void *), false, 16, 16, false, '0');
		break;
	case '%':
		out_char(o, '%');
		break;
	case '\0':
		return f;
	default:
		out_char(o, '%');
		out_char(o, *f);
		break;
	}
	return f + 1;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%')
			out_char(&o, *fmt++);
		else
			fmt = format_one(&o, fmt + 1, &args);
	}
	va_end(args);
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
