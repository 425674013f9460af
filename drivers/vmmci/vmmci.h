/* SPDX-License-Identifier: GPL-2.0 */
/* vmmci internal interfaces shared by the vmmci_*.c files. */
#ifndef VMMCI_H
#define VMMCI_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "vmmci_abi.h"
#include "vmmci_proto.h"

/*
 * Bounds of the poll_ms and timesync_ms parameters: below 10 ms the works
 * would spin a CPU; the poll's upper bound keeps it a backstop for lost
 * interrupts (a minute), the samples' an hour.
 */
#define VMMCI_MIN_PERIOD_MS	10
#define VMMCI_POLL_MAX_MS	60000
#define VMMCI_TIMESYNC_MAX_MS	3600000

/* Counters exported through sysfs; all protected by vmmci_dev.lock. */
struct vmmci_stats {
	u64 irqs;		/* copy of vmmci_dev.irqs, for sysfs */
	u64 cmds_seen;		/* distinct commands read from COMMAND */
	u64 cmds_acked;		/* acks written */
	u64 cmds_invalid;	/* unknown values seen (never acked) */
	u64 cmds_polled;	/* commands first seen by the poll, not an IRQ */
	u64 times_invalid;	/* TIME_SEC/USEC pairs that were not a time */
	u32 last_cmd;		/* last non-NONE value read */
	u64 last_cmd_ns;	/* guest CLOCK_REALTIME when it was read */
	u32 host_features;	/* copies for sysfs */
	u32 features;
	u64 last_ack_latency_ns; /* IRQ entry to ack write, IRQ path only */
	u64 samples;		/* TIMESYNC samples taken */
	s64 offset_ns;		/* last host - guest offset */
	u64 max_offset_ns;	/* largest |offset| sampled */
	u64 last_sample_ns;	/* guest CLOCK_REALTIME of the last sample */
	u64 syncs;		/* clock steps done for SYNCRTC */
	s64 last_step_ns;	/* size of the last step (SYNCRTC or correction) */
	u64 last_sync_ns;	/* guest CLOCK_REALTIME right after that step */
	u64 corrections;	/* bounded correction steps (vmmci.correct_max_us) */
};

struct vmmci_dev {
	struct pci_dev *pdev;
	void __iomem *base;
	u32 host_features;	/* DEVICE_FEATURES as read at the last init */
	u32 features;		/* negotiated: written to GUEST_FEATURES */
	bool has_irq;		/* false: poll-only (no INTx routed) */
	bool running;		/* between start and stop; device lock held */

	/*
	 * Serialises every multi-register sequence with the host (read
	 * COMMAND then ack; read TIME_SEC then TIME_USEC) and protects
	 * cmd_state, stats, host_power and stopping.
	 */
	struct mutex lock;
	struct vmmci_cmd_state cmd_state;
	struct vmmci_stats stats;
	bool host_power;	/* the host asked for poweroff/reboot */
	bool stopping;		/* teardown began: no work may re-arm */

	u64 irq_ns;		/* ktime_get_ns() at the last IRQ (WRITE_ONCE) */
	atomic64_t irqs;	/* interrupts that were ours (ISR bit set) */
	struct work_struct irq_work;
	struct delayed_work poll_work;
	struct delayed_work sync_work;
	struct notifier_block reboot_nb;

	/*
	 * Garbage from the host: one line per kind every VMMCI_BAD_LOG_S,
	 * carrying the count so far, so a hostile host costs a few lines a
	 * minute rather than the default ratelimit's two a second.
	 */
	struct ratelimit_state bad_cmd_rs;
	struct ratelimit_state bad_time_rs;
};

#define VMMCI_BAD_LOG_S		10

/* Module parameters (vmmci_sysfs.c). */
extern unsigned int vmmci_poll_ms;
extern unsigned int vmmci_timesync_ms;
extern bool vmmci_reboot_poweroff;
extern unsigned int vmmci_correct_max_us;
extern unsigned int vmmci_correct_min_us;

/* vmmci_cmd.c */
void vmmci_cmd_work(struct work_struct *work);
void vmmci_cmd_poll_work(struct work_struct *work);
void vmmci_cmd_adopt(struct vmmci_dev *vd);
void vmmci_cmd_last_look(struct vmmci_dev *vd);
int vmmci_reboot_init(struct vmmci_dev *vd);
void vmmci_reboot_uninit(struct vmmci_dev *vd);

/* vmmci_time.c */
void vmmci_time_syncrtc(struct vmmci_dev *vd);
void vmmci_time_work(struct work_struct *work);
void vmmci_time_schedule(struct vmmci_dev *vd, bool now);

/* vmmci_sysfs.c */
extern const struct attribute_group *vmmci_sysfs_groups[];

#endif /* VMMCI_H */
