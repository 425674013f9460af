// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace unit test of drivers/vmmci/vmmci_proto.h: the command
 * decisions (ack rules, de-duplication, invalid values) and the time
 * arithmetic, plus a randomised run of the command decoder against a
 * small model of vmd's COMMAND register checking the invariants the
 * driver relies on.
 */
#include <stdint.h>
#include "tap.h"
#include "vmmci_proto.h"

static struct vmmci_decision dec(struct vmmci_cmd_state *st, __u32 cmd)
{
	return vmmci_cmd_decide(st, cmd, 1, 0);
}

static void test_commands(void)
{
	struct vmmci_cmd_state st = { 0 };
	struct vmmci_decision d;

	d = dec(&st, VMMCI_NONE);
	tap_result(d.action == VMMCI_ACT_NONE && !d.ack, "none: no action");

	d = dec(&st, VMMCI_SYNCRTC);
	tap_result(d.action == VMMCI_ACT_SYNCRTC && d.ack, "syncrtc acked");
	d = dec(&st, VMMCI_SYNCRTC);
	tap_result(d.action == VMMCI_ACT_SYNCRTC && d.ack,
		   "second syncrtc is a new request (ack clears it)");

	d = vmmci_cmd_decide(&st, VMMCI_SYNCRTC, 0, 0);
	tap_result(d.ack, "syncrtc acked even without F_ACK");

	d = dec(&st, VMMCI_REBOOT);
	tap_result(d.action == VMMCI_ACT_REBOOT && d.ack, "reboot: ack+reboot");
	d = dec(&st, VMMCI_REBOOT);
	tap_result(d.action == VMMCI_ACT_REPEAT && !d.ack,
		   "repeated reboot ignored, not re-acked");
	d = dec(&st, VMMCI_SHUTDOWN);
	tap_result(d.action == VMMCI_ACT_POWER_BUSY && d.ack,
		   "shutdown during reboot: acked, no second action");
	d = dec(&st, VMMCI_SYNCRTC);
	tap_result(d.action == VMMCI_ACT_SYNCRTC,
		   "syncrtc still handled while shutting down");

	st = (struct vmmci_cmd_state){ 0 };
	d = vmmci_cmd_decide(&st, VMMCI_REBOOT, 1, 1);
	tap_result(d.action == VMMCI_ACT_POWEROFF,
		   "reboot_poweroff maps reboot to poweroff");

	st = (struct vmmci_cmd_state){ 0 };
	d = vmmci_cmd_decide(&st, VMMCI_SHUTDOWN, 0, 0);
	tap_result(d.action == VMMCI_ACT_POWEROFF && !d.ack,
		   "shutdown without F_ACK: act, no ack");

	st = (struct vmmci_cmd_state){ 0 };
	d = dec(&st, 7);
	tap_result(d.action == VMMCI_ACT_INVALID && !d.ack,
		   "invalid 7: logged, not acked");
	d = dec(&st, 7);
	tap_result(d.action == VMMCI_ACT_REPEAT && !d.ack,
		   "repeated invalid: not logged again");
	d = dec(&st, 0xffffff02);
	tap_result(d.action == VMMCI_ACT_INVALID && !d.ack,
		   "reboot with stale high bits is invalid");
	d = dec(&st, VMMCI_NONE);
	d = dec(&st, 7);
	tap_result(d.action == VMMCI_ACT_INVALID,
		   "invalid after none is logged again");
	d = dec(&st, VMMCI_REBOOT);
	tap_result(d.action == VMMCI_ACT_REBOOT && d.ack,
		   "reboot after invalid is handled");

	tap_result(vmmci_features(0x7) == 0x7 && vmmci_features(0xff) == 0x7 &&
		   vmmci_features(0x4) == 0x4 && vmmci_features(0) == 0,
		   "features masked by host offer");
}

static void test_time(void)
{
	tap_result(vmmci_time_valid(1, 999999) && !vmmci_time_valid(1, 1000000) &&
		   !vmmci_time_valid(0, 5),
		   "time validity (usec < 1e6, sec != 0)");
	tap_result(vmmci_host_ns(0xffffffffU, 0) ==
		   4294967295ULL * 1000000000ULL + 500,
		   "seconds are unsigned 32-bit (no sign extension)");
	tap_result(vmmci_host_ns(2, 3) == 2000003500ULL,
		   "host ns = sec, usec, plus half a microsecond");
	tap_result(vmmci_guest_mid(100, 200) == 150 &&
		   vmmci_guest_mid(200, 100) == 200,
		   "guest midpoint, and a backwards pair keeps 'before'");
	tap_result(vmmci_offset_ns(3600000000000ULL + 5, 5) == 3600000000000LL &&
		   vmmci_offset_ns(5, 10) == -5,
		   "offset sign: positive = guest behind");
	tap_result(vmmci_abs_ns(INT64_MIN) == (1ULL << 63) &&
		   vmmci_abs_ns(-3) == 3,
		   "abs of the most negative offset");
	tap_result(!vmmci_should_step(99999) && vmmci_should_step(-100000),
		   "syncrtc step threshold 100 us");
	tap_result(!vmmci_should_correct(5000000, 1000000, 0),
		   "correction off when max is 0");
	tap_result(vmmci_should_correct(-2000000, 1000000, 5000000) &&
		   !vmmci_should_correct(500000, 1000000, 5000000) &&
		   !vmmci_should_correct(6000000, 1000000, 5000000),
		   "correction only inside [min, max]");
}

/*
 * vmd's COMMAND register as the guest sees it: a power request stays
 * until the VM ends; SYNCRTC is cleared by its ack; new requests equal
 * to the pending one are dropped; any value can be injected.
 */
static unsigned int fuzz_seed = 1;

static unsigned int fuzz_rand(void)
{
	fuzz_seed = fuzz_seed * 1103515245u + 12345u;
	return fuzz_seed >> 8;
}

static void test_model(void)
{
	const __u32 values[] = { 0, 1, 2, 3, 4, 7, 0x102, 0xffffffff };
	unsigned long bad = 0, rounds;

	for (rounds = 0; rounds < 20000; rounds++) {
		struct vmmci_cmd_state st = { 0 };
		__u32 pending = 0, power_pending = 0;
		unsigned int actions = 0, step;

		for (step = 0; step < 40; step++) {
			struct vmmci_decision d;
			__u32 before;

			/* host posts something (or nothing) */
			if (fuzz_rand() % 3 == 0) {
				__u32 v = values[fuzz_rand() % 8];

				if (v != pending && !(v == 3 && power_pending))
					pending = v;
				if (v == 1 || v == 2)
					power_pending = v;
			}
			before = pending;
			d = vmmci_cmd_decide(&st, pending, 1, fuzz_rand() & 1);
			if (d.ack && !vmmci_cmd_known(before))
				bad++;	/* acked an invalid value */
			if (d.action == VMMCI_ACT_REBOOT ||
			    d.action == VMMCI_ACT_POWEROFF)
				actions++;
			if (d.action == VMMCI_ACT_SYNCRTC && d.ack)
				pending = power_pending ? power_pending : 0;
			if (vmmci_cmd_known(before) && before != 3 &&
			    d.action == VMMCI_ACT_NONE)
				bad++;	/* a power request went unseen */
		}
		if (actions > 1)
			bad++;		/* two orderly shutdowns */
	}
	tap_result(bad == 0,
		   "model: 20000 random runs, no invalid ack, <= 1 power action");
	if (bad)
		tap_diag("%lu invariant violations", bad);
}

int main(void)
{
	tap_header();
	tap_plan(26);
	test_commands();
	test_time();
	test_model();
	tap_finish();
}
