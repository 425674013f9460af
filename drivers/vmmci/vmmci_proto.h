/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure vmmci protocol logic: command decoding and de-duplication, and the
 * time arithmetic behind TIMESYNC/SYNCRTC. Static inlines over
 * <linux/types.h> only, so that selftests/vmmci/unit/ compiles the very
 * same code in userspace.
 */
#ifndef VMMCI_PROTO_H
#define VMMCI_PROTO_H

#include <linux/types.h>
#include "vmmci_abi.h"

#define VMMCI_NSEC_PER_USEC	1000ULL
#define VMMCI_NSEC_PER_SEC	1000000000ULL
#define VMMCI_USEC_PER_SEC	1000000U

/*
 * A SYNCRTC whose measured offset is below this is not worth a step: the
 * register read itself costs a few microseconds of uncertainty.
 */
#define VMMCI_STEP_MIN_NS	100000ULL

enum vmmci_action {
	VMMCI_ACT_NONE,		/* nothing pending */
	VMMCI_ACT_REPEAT,	/* the command we already handled: ignore */
	VMMCI_ACT_INVALID,	/* unknown value: log once, never ack */
	VMMCI_ACT_POWEROFF,	/* ack, then orderly poweroff */
	VMMCI_ACT_REBOOT,	/* ack, then orderly reboot */
	VMMCI_ACT_POWER_BUSY,	/* ack only: a power action already runs */
	VMMCI_ACT_SYNCRTC,	/* ack, then step the clock */
};

/* What the guest remembers between two reads of the COMMAND register. */
struct vmmci_cmd_state {
	__u32 last;		/* last value acted on or logged */
	__u8 power_started;	/* an orderly poweroff/reboot is under way */
};

struct vmmci_decision {
	enum vmmci_action action;
	__u8 ack;		/* write the value read back to COMMAND */
};

static inline int vmmci_cmd_known(__u32 cmd)
{
	return cmd == VMMCI_SHUTDOWN || cmd == VMMCI_REBOOT ||
	       cmd == VMMCI_SYNCRTC;
}

/*
 * Decide what to do with the value @cmd just read from COMMAND, updating
 * @st. The same function runs for interrupts and for polls, so a command
 * seen by both is acted on once.
 *
 * Why the rules:
 *  - SHUTDOWN/REBOOT stay in COMMAND after the ack (the host never clears
 *    them), so a repeat is the same request: acking again would re-arm the
 *    host's long timer forever, acting again would start a second
 *    shutdown.
 *  - SYNCRTC is cleared to NONE by our ack, so every SYNCRTC read is a new
 *    request and is always handled and acked (an un-acked SYNCRTC makes
 *    the host drop all later ones).
 *  - Unknown values are never acked (the host would call it an illegal
 *    request) and are logged once per distinct value.
 *  - ACK for SHUTDOWN/REBOOT is only written when the feature was
 *    negotiated (@ack_ok), as OpenBSD's guest does.
 */
static inline struct vmmci_decision
vmmci_cmd_decide(struct vmmci_cmd_state *st, __u32 cmd, int ack_ok,
		 int reboot_is_poweroff)
{
	struct vmmci_decision d = { VMMCI_ACT_NONE, 0 };

	switch (cmd) {
	case VMMCI_NONE:
		st->last = VMMCI_NONE;
		return d;
	case VMMCI_SYNCRTC:
		/* the ack clears it on the host: next read starts afresh */
		st->last = VMMCI_NONE;
		d.action = VMMCI_ACT_SYNCRTC;
		d.ack = 1;
		return d;
	case VMMCI_SHUTDOWN:
	case VMMCI_REBOOT:
		if (st->last == cmd) {
			d.action = VMMCI_ACT_REPEAT;
			return d;
		}
		st->last = cmd;
		d.ack = !!ack_ok;
		if (st->power_started) {
			d.action = VMMCI_ACT_POWER_BUSY;
			return d;
		}
		st->power_started = 1;
		if (cmd == VMMCI_REBOOT && !reboot_is_poweroff)
			d.action = VMMCI_ACT_REBOOT;
		else
			d.action = VMMCI_ACT_POWEROFF;
		return d;
	default:
		if (st->last == cmd) {
			d.action = VMMCI_ACT_REPEAT;
			return d;
		}
		st->last = cmd;
		d.action = VMMCI_ACT_INVALID;
		return d;
	}
}

static inline const char *vmmci_cmd_name(__u32 cmd)
{
	switch (cmd) {
	case VMMCI_NONE:
		return "none";
	case VMMCI_SHUTDOWN:
		return "shutdown";
	case VMMCI_REBOOT:
		return "reboot";
	case VMMCI_SYNCRTC:
		return "syncrtc";
	default:
		return "invalid";
	}
}

/*
 * Features to write to GUEST_FEATURES: what we support, masked by what
 * the host offers.
 */
static inline __u32 vmmci_features(__u32 host)
{
	return host & (VMMCI_F_TIMESYNC | VMMCI_F_ACK | VMMCI_F_SYNCRTC);
}

/* The host's time registers are only usable with a sane microsecond. */
static inline int vmmci_time_valid(__u32 sec, __u32 usec)
{
	return sec != 0 && usec < VMMCI_USEC_PER_SEC;
}

/*
 * Host time in ns. Only the low 32 bits of the host's seconds arrive (vmd
 * loses the high word), taken as unsigned: right until 2106. The guest's
 * own high word is deliberately not borrowed: a guest clock that is
 * wrong is what SYNCRTC exists to fix. gettimeofday() truncated to the
 * microsecond, so the true instant lies in [usec, usec + 1): the middle
 * is the unbiased estimate.
 */
static inline __u64 vmmci_host_ns(__u32 sec, __u32 usec)
{
	return (__u64)sec * VMMCI_NSEC_PER_SEC +
	       (__u64)usec * VMMCI_NSEC_PER_USEC + VMMCI_NSEC_PER_USEC / 2;
}

/*
 * The guest instant matching the host snapshot: the snapshot is taken by
 * the TIME_SEC read, which lies between the guest readings @before and
 * @after; the middle halves the worst-case error.
 */
static inline __u64 vmmci_guest_mid(__u64 before, __u64 after)
{
	if (after < before)
		return before;
	return before + (after - before) / 2;
}

/* host - guest, in ns; positive means the guest is behind. */
static inline __s64 vmmci_offset_ns(__u64 host_ns, __u64 guest_ns)
{
	return (__s64)(host_ns - guest_ns);
}

static inline __u64 vmmci_abs_ns(__s64 v)
{
	return v < 0 ? -(__u64)v : (__u64)v;
}

/* Is a SYNCRTC-triggered step worth doing for offset @off? */
static inline int vmmci_should_step(__s64 off)
{
	return vmmci_abs_ns(off) >= VMMCI_STEP_MIN_NS;
}

/*
 * Continuous correction (off unless a bound is set): a periodic sample's
 * offset is corrected by a step only if it is above the noise floor
 * @min_ns and within @max_ns. Larger offsets are left to SYNCRTC or to
 * userspace (ntpd/chrony); a bound of 0 disables correction.
 */
static inline int vmmci_should_correct(__s64 off, __u64 min_ns, __u64 max_ns)
{
	__u64 a = vmmci_abs_ns(off);

	if (!max_ns)
		return 0;
	return a >= min_ns && a >= VMMCI_STEP_MIN_NS && a <= max_ns;
}

#endif /* VMMCI_PROTO_H */
