// SPDX-License-Identifier: GPL-2.0
/*
 * Claim: the vmmci device looks like vmd's, register quirks included:
 * PCI identity (0b5d:0777, subsystem 0b5d:ffff, class 0x078000, rev 0,
 * INTA, no capabilities, a 4 KiB I/O BAR); 32-bit reads at the exact
 * offsets give vmd's values (features 7, queue size 0, high time words 0,
 * time seconds near the host's); reads at other offsets return the
 * guest's own EAX, so byte reads inside a register do not give its bytes;
 * narrow writes store the whole EAX; status 0 does not reset features.
 */
#include "hm_util.h"

static int config_byte(int off)
{
	char path[512];
	unsigned char b[64];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", hm_bdf);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, b, sizeof(b));
	close(fd);
	return n > off ? b[off] : -1;
}

static int config_word(int off)
{
	return config_byte(off) | config_byte(off + 1) << 8;
}

int main(void)
{
	long long host_ns;
	uint32_t v, sec, usec, saved;

	tap_header();
	hm_vmmci_setup();
	tap_plan(16);

	tap_result(config_word(0x2c) == 0x0b5d && config_word(0x2e) == 0xffff,
		   "subsystem %04x:%04x", config_word(0x2c), config_word(0x2e));
	tap_result(config_byte(0x0b) == 0x07 && config_byte(0x0a) == 0x80 &&
		   config_byte(0x09) == 0 && config_byte(0x08) == 0,
		   "class %02x%02x%02x rev %d", config_byte(0x0b),
		   config_byte(0x0a), config_byte(0x09), config_byte(0x08));
	tap_result(config_byte(0x3d) == 1 && !(config_word(0x06) & 0x10),
		   "INTA, no capability list (pin %d status 0x%04x)",
		   config_byte(0x3d), config_word(0x06));
	tap_result(hm_io_len == 0x1000, "BAR0 is 4 KiB of I/O at 0x%x (%lu)",
		   hm_io, hm_io_len);

	v = hm_inl(HM_DEVICE_FEATURES);
	tap_result(v == 7, "device features 0x%x", v);
	v = hm_inl(HM_QUEUE_SIZE);
	tap_result(v == 0, "queue size %u", v);

	saved = hm_inl(HM_GUEST_FEATURES);
	hm_outl(HM_GUEST_FEATURES, 0x5);
	v = hm_inl(HM_GUEST_FEATURES);
	tap_result(v == 5, "guest features read back 0x%x", v);

	/* status 0 is not a reset on vmd */
	hm_outb_eax(HM_DEVICE_STATUS, 0);
	v = hm_inl(HM_GUEST_FEATURES);
	tap_result(v == 5, "status 0 leaves guest features (0x%x)", v);

	/* an outw stores the whole EAX, stale high half included */
	hm_outw_eax(HM_GUEST_FEATURES, 0x00070004);
	v = hm_inl(HM_GUEST_FEATURES);
	tap_result(v == 0x00070004, "outw of 0x0004 with EAX 0x00070004 stores 0x%x",
		   v);
	hm_outl(HM_GUEST_FEATURES, saved);

	/* byte 1 of the command register is not a register: EAX comes back */
	v = hm_inb_eax(HM_CMD + 1, 0x1234abcd);
	tap_result(v == 0x1234abcd, "inb at cmd+1 with EAX 0x1234abcd gives 0x%08x",
		   v);
	v = hm_inb_eax(HM_CMD + 1, 0x55);
	tap_result(v == 0x55, "inb at cmd+1 with EAX 0x55 gives 0x%08x", v);
	v = hm_inw_eax(HM_TIME_SEC + 2, 0xbeef0000);
	tap_result(v == 0xbeef0000, "inw at time+2 with EAX 0xbeef0000 gives 0x%08x",
		   v);

	v = hm_inl(HM_TIME_SEC_HI) | hm_inl(HM_TIME_USEC_HI);
	tap_result(v == 0, "time high words are 0 (0x%x)", v);

	host_ns = hostctl_time_ns();
	sec = hm_inl(HM_TIME_SEC);
	usec = hm_inl(HM_TIME_USEC);
	tap_result(usec < 1000000, "usec %u below 10^6", usec);
	if (host_ns) {
		long long d = (long long)sec - host_ns / 1000000000LL;

		tap_result(d >= -1 && d <= 2, "time %u.%06u, host %lld.%09lld",
			   sec, usec, host_ns / 1000000000LL,
			   host_ns % 1000000000LL);
	} else {
		tap_skip("no host channel for the host time");
	}
	v = hm_inb_eax(HM_ISR, 0xffffff00);
	tap_result((v & 0xff) == 0, "ISR is 0 with nothing pending (0x%x)", v);
	tap_finish();
}
