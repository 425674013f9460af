/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vmmci: the "VMM Control" PCI device of OpenBSD's vmd(8), as vmd emulates
 * it, quirks included (pvkit host model).
 *
 * A legacy (virtio 0.9 layout) header in one 4 KiB I/O BAR, no queues, no
 * MSI, INTx.  vmd answers only exact register offsets and never looks at
 * the access size: it reads and writes the guest's whole EAX.  This model
 * does the same by taking EAX from the vCPU doing the access.
 *
 * Host side ("vmctl"): qom-set <dev> request "<command>", qom-get <dev>
 * state; see vmmci_set_request().
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "sysemu/runstate.h"
#include "hw/i386/openbsd-vmm.h"
#include "qom/object.h"
#include "trace.h"

OBJECT_DECLARE_SIMPLE_TYPE(VmmciState, VMMCI)

#define VMMCI_VENDOR_ID         0x0b5d  /* PCI_VENDOR_OPENBSD */
#define VMMCI_DEVICE_ID         0x0777  /* PCI_PRODUCT_OPENBSD_CONTROL */
#define VMMCI_SUBSYS_ID         0xffff  /* PCI_PRODUCT_VIRTIO_VMMCI */
#define VMMCI_BAR_SIZE          0x1000

/* legacy virtio header, then device config at 20 (no MSI) */
#define VMMCI_DEVICE_FEATURES   0
#define VMMCI_GUEST_FEATURES    4
#define VMMCI_QUEUE_PFN         8
#define VMMCI_QUEUE_SIZE        12
#define VMMCI_QUEUE_SELECT      14
#define VMMCI_QUEUE_NOTIFY      16
#define VMMCI_DEVICE_STATUS     18
#define VMMCI_ISR               19
#define VMMCI_CMD               20
#define VMMCI_TIME_SEC          24
#define VMMCI_TIME_SEC_HI       28
#define VMMCI_TIME_USEC         32
#define VMMCI_TIME_USEC_HI      36

#define VMMCI_F_TIMESYNC        0x1
#define VMMCI_F_ACK             0x2
#define VMMCI_F_SYNCRTC         0x4
#define VMMCI_FEATURES          (VMMCI_F_TIMESYNC | VMMCI_F_ACK | \
                                 VMMCI_F_SYNCRTC)
#define VMMCI_STATUS_DRIVER_OK  0x04
#define VMMCI_ISR_CONFIG        0x02

enum {
    VMMCI_NONE,
    VMMCI_SHUTDOWN,
    VMMCI_REBOOT,
    VMMCI_SYNCRTC,
};

/* which timer is armed, and so what its expiry means */
enum {
    VMMCI_TIMER_NONE,
    VMMCI_TIMER_ACK,        /* host request, waiting for the ack (3 s) */
    VMMCI_TIMER_LONG,       /* acked; waiting for the guest to go away */
    VMMCI_TIMER_GUEST,      /* guest wrote SHUTDOWN: guest-initiated */
};

static const char *const vmmci_timer_names[] = {
    "none", "ack", "long", "guest",
};

/* what a read at an offset vmd does not answer gives without a vCPU */
#define VMMCI_GARBAGE           0xa5a5a5a5u

struct VmmciState {
    PCIDevice parent_obj;

    MemoryRegion io;
    QEMUTimer *timer;

    uint32_t guest_features;
    uint32_t queue_pfn;
    uint16_t queue_select;
    uint16_t queue_notify;
    uint8_t status;
    uint8_t isr;
    uint32_t cmd;
    uint32_t time_sec;
    uint32_t time_usec;
    uint32_t timer_kind;
    int64_t timer_deadline;     /* QEMU_CLOCK_REALTIME ms */
    bool stopping;

    /* evidence for "vmctl status" */
    uint32_t last_ack;
    uint32_t acks;
    uint32_t irqs;
    uint32_t dropped;
    uint32_t illegal;
    uint32_t time_reads;
    uint64_t spurious;
    char *last_request;

    /* hostile host: garbage in the registers until hostile_end_ms */
    QEMUTimer *hostile_timer;
    int64_t hostile_end_ms;     /* QEMU_CLOCK_REALTIME */
    uint32_t hostile_saved_cmd;
    GRand *rand;
    uint64_t hostile_values;

    /* properties */
    uint32_t long_timeout;      /* s: 120 (vmd >= 2023), 30 (2018) */
    uint32_t short_timeout_ms;  /* 3000 */
    bool old_ack_rule;
};

static void vmmci_arm(VmmciState *s, uint32_t kind, int64_t ms)
{
    s->timer_kind = kind;
    s->timer_deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + ms;
    timer_mod(s->timer, s->timer_deadline);
    trace_vmmci_timer(vmmci_timer_names[kind], ms);
}

static void vmmci_disarm(VmmciState *s)
{
    timer_del(s->timer);
    s->timer_kind = VMMCI_TIMER_NONE;
}

static void vmmci_timeout(void *opaque)
{
    VmmciState *s = opaque;

    /*
     * vmd: vm_shutdown() and the vm process exits; the VM is gone, not
     * restarted.
     */
    if (s->timer_kind == VMMCI_TIMER_GUEST && s->cmd == VMMCI_NONE) {
        openbsd_vmm_end("guest-poweroff", SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    } else {
        openbsd_vmm_end("ack-timeout", SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    }
}

static bool vmmci_hostile(VmmciState *s)
{
    return s->hostile_end_ms &&
           qemu_clock_get_ms(QEMU_CLOCK_REALTIME) < s->hostile_end_ms;
}

/* A register value from a hostile host: an edge value or anything */
static uint32_t vmmci_garbage(VmmciState *s)
{
    static const uint32_t edge[] = {
        0, 4, 7, 0xff, 0x101, 0x102, 0x103, 0x10003, 0x80000001,
        0x7fffffff, 0x80000000, 0xffffffff,
    };

    s->hostile_values++;
    if (g_rand_boolean(s->rand)) {
        return edge[g_rand_int_range(s->rand, 0, ARRAY_SIZE(edge))];
    }
    return g_rand_int(s->rand);
}

/*
 * A hostile host's command register: anything but the three commands, so
 * that no value it posts asks for a shutdown, a reboot or a clock resync.
 */
static uint32_t vmmci_garbage_cmd(VmmciState *s)
{
    uint32_t v;

    do {
        v = vmmci_garbage(s);
    } while (v >= VMMCI_SHUTDOWN && v <= VMMCI_SYNCRTC);
    return v;
}

static void vmmci_raise(VmmciState *s)
{
    s->isr |= VMMCI_ISR_CONFIG;
    s->irqs++;
    pci_set_irq(PCI_DEVICE(s), 1);
}

void vmmci_spurious(Object *obj)
{
    VmmciState *s = VMMCI(obj);

    /* the line stays up until the guest reads ISR, as for a real request */
    s->spurious++;
    pci_set_irq(PCI_DEVICE(s), 1);
}

/*
 * Every millisecond of a hostile spell: a garbage command, ISR bits and
 * the interrupt (or the interrupt with ISR 0).
 */
static void vmmci_hostile_tick(void *opaque)
{
    VmmciState *s = opaque;

    if (!vmmci_hostile(s)) {
        s->hostile_end_ms = 0;
        s->cmd = s->hostile_saved_cmd;
        s->isr = 0;
        pci_set_irq(PCI_DEVICE(s), 0);
        return;
    }
    s->cmd = vmmci_garbage_cmd(s);
    s->isr = vmmci_garbage(s);
    pci_set_irq(PCI_DEVICE(s), 1);
    timer_mod(s->hostile_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1);
}

/*
 * vmd's vmmci_ctl(): a host request; -1 when the guest has no DRIVER_OK.
 * @irq false is fault injection (a lost interrupt), not vmd behaviour.
 */
static int vmmci_ctl(VmmciState *s, uint32_t cmd, bool irq)
{
    if (!(s->status & VMMCI_STATUS_DRIVER_OK)) {
        trace_vmmci_ctl(cmd, -1);
        return -1;
    }
    if (cmd == s->cmd) {
        /* the same request is still pending: nothing new for the guest */
        s->dropped++;
        trace_vmmci_ctl(cmd, 0);
        return 0;
    }
    switch (cmd) {
    case VMMCI_SHUTDOWN:
    case VMMCI_REBOOT:
        s->cmd = cmd;
        vmmci_arm(s, VMMCI_TIMER_ACK, s->short_timeout_ms);
        break;
    case VMMCI_SYNCRTC:
        if (!(s->guest_features & VMMCI_F_SYNCRTC)) {
            s->dropped++;
            trace_vmmci_ctl(cmd, 0);
            return 0;
        }
        s->cmd = cmd;
        break;
    default:
        return -1;
    }
    if (irq) {
        vmmci_raise(s);
    }
    trace_vmmci_ctl(cmd, 1);
    return 0;
}

/* vmd's vmmci_ack(): the guest wrote @val to the command register */
static void vmmci_ack(VmmciState *s, uint32_t val)
{
    trace_vmmci_ack(val, s->cmd);
    s->acks++;
    s->last_ack = val;
    switch (val) {
    case VMMCI_SHUTDOWN:
    case VMMCI_REBOOT:
        if (s->cmd == VMMCI_NONE) {
            if (val == VMMCI_SHUTDOWN) {
                /* the guest powers itself off: the VM ends in 3 s */
                vmmci_arm(s, VMMCI_TIMER_GUEST, s->short_timeout_ms);
            }
        } else if (val == s->cmd) {
            /*
             * vmd up to 2023 granted the long timeout only while the 3 s
             * timer was still pending; later vmd re-arms on every
             * matching ack.
             */
            if (!s->old_ack_rule ||
                (timer_pending(s->timer) &&
                 s->timer_kind == VMMCI_TIMER_ACK)) {
                vmmci_arm(s, VMMCI_TIMER_LONG,
                          (int64_t)s->long_timeout * 1000);
            }
        }
        /* an ack of another command changes nothing: the timer runs on */
        break;
    case VMMCI_SYNCRTC:
        s->cmd = VMMCI_NONE;
        break;
    default:
        s->illegal++;
        qemu_log_mask(LOG_GUEST_ERROR,
                      "vmmci: illegal request 0x%x (pending %u)\n",
                      val, s->cmd);
        break;
    }
}

static void vmmci_snapshot(VmmciState *s)
{
    int64_t ns = openbsd_vmm_host_realtime_ns();

    /* vmd: gettimeofday(); only the low 32 bits of tv_sec survive */
    s->time_sec = (uint32_t)(ns / 1000000000);
    s->time_usec = (uint32_t)(ns % 1000000000 / 1000);
    s->time_reads++;
}

static uint64_t vmmci_read(void *opaque, hwaddr addr, unsigned size)
{
    VmmciState *s = opaque;
    uint32_t val;

    switch (addr) {
    case VMMCI_DEVICE_FEATURES:
        val = VMMCI_FEATURES;
        break;
    case VMMCI_GUEST_FEATURES:
        val = s->guest_features;
        break;
    case VMMCI_QUEUE_PFN:
        val = s->queue_pfn;
        break;
    case VMMCI_QUEUE_SIZE:
        val = 0;
        break;
    case VMMCI_QUEUE_SELECT:
        val = s->queue_select;
        break;
    case VMMCI_QUEUE_NOTIFY:
        val = s->queue_notify;
        break;
    case VMMCI_DEVICE_STATUS:
        val = vmmci_hostile(s) ? vmmci_garbage(s) : s->status;
        break;
    case VMMCI_ISR:
        /* read-to-clear, and the line drops at once */
        val = s->isr;
        s->isr = 0;
        pci_set_irq(PCI_DEVICE(s), 0);
        break;
    case VMMCI_CMD:
        val = s->cmd;
        break;
    case VMMCI_TIME_SEC:
        vmmci_snapshot(s);
        val = vmmci_hostile(s) ? vmmci_garbage(s) : s->time_sec;
        break;
    case VMMCI_TIME_SEC_HI:
    case VMMCI_TIME_USEC_HI:
        /* vmd shifts the high word into a 32-bit value: always 0 */
        val = vmmci_hostile(s) ? vmmci_garbage(s) : 0;
        break;
    case VMMCI_TIME_USEC:
        val = vmmci_hostile(s) ? vmmci_garbage(s) : s->time_usec;
        break;
    default:
        /*
         * vmd leaves vei_data alone, so the guest gets its own EAX back.
         */
        if (!openbsd_vmm_guest_eax(&val)) {
            val = VMMCI_GARBAGE;
        }
        break;
    }
    trace_vmmci_read(addr, size, val);
    return val;
}

static void vmmci_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    VmmciState *s = opaque;
    uint32_t data;

    /*
     * vmd sees the whole EAX whatever the access width: an outb of 2 to
     * the command register acks with EAX, stale high bits included.
     */
    if (!openbsd_vmm_guest_eax(&data)) {
        data = val;
    }
    trace_vmmci_write(addr, size, val, data);
    switch (addr) {
    case VMMCI_GUEST_FEATURES:
        s->guest_features = data;
        break;
    case VMMCI_QUEUE_PFN:
        s->queue_pfn = data;
        break;
    case VMMCI_QUEUE_SELECT:
        s->queue_select = data;
        break;
    case VMMCI_QUEUE_NOTIFY:
        s->queue_notify = data;
        break;
    case VMMCI_DEVICE_STATUS:
        /* a uint8_t in vmd; 0 does not reset cmd, isr or features */
        s->status = data;
        break;
    case VMMCI_CMD:
        vmmci_ack(s, data);
        break;
    default:
        /* device features, queue size, ISR and the time are read-only */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "vmmci: ignored write 0x%x at 0x%" HWADDR_PRIx "\n",
                      data, addr);
        break;
    }
}

static const MemoryRegionOps vmmci_ops = {
    .read = vmmci_read,
    .write = vmmci_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    /* vmd dispatches on the exact port, whatever the size or alignment */
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
        .unaligned = true,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 4,
        .unaligned = true,
    },
};

/* Host control */

static bool vmmci_parse_seconds(const char *v, int64_t *ns, Error **errp)
{
    double d;

    if (qemu_strtod(v, NULL, &d) < 0 || d > 1e9 || d < -1e9) {
        error_setg(errp, "vmmci: bad number of seconds '%s'", v);
        return false;
    }
    *ns = (int64_t)(d * 1e9);
    return true;
}

/*
 * Commands, as "vmctl" sends them:
 *   stop           vmd's "vmctl stop": REBOOT, VM marked as stopping; with
 *                  no DRIVER_OK the VM ends at once
 *   stop -f        end the VM now (VMM_IOC_TERM)
 *   syncrtc        what vmd's RTC does on a > 5 s jump: SYNCRTC request
 *   clock +N|-N    step the model's host wall clock by N seconds; a forward
 *                  step of more than 5 s also sends SYNCRTC
 *   send CMD       raw vmmci_ctl(shutdown|reboot|syncrtc) for tests; fails
 *                  without DRIVER_OK
 * Fault injection, not vmd behaviour:
 *   syncrtc --no-irq       SYNCRTC by vmd's rules, but no ISR bit or IRQ
 *   inject N [--no-irq]    set the command register to N (any value, no
 *                          DRIVER_OK check, no timer), ISR and IRQ unless
 *                          N is 0 or --no-irq is given
 *   hostile MSEC [SEED]    garbage in the command, ISR, status and time
 *                          registers for MSEC ms (0 ends it), never one of
 *                          the three commands; the command pending before
 *                          comes back afterwards
 */
static void vmmci_set_request(Object *obj, const char *value, Error **errp)
{
    VmmciState *s = VMMCI(obj);
    g_auto(GStrv) w = g_strsplit_set(value, " \t", -1);
    int n = 0;
    int64_t ns;

    while (w[n]) {
        n++;
    }
    trace_vmmci_request(value);
    if (n >= 1 && !strcmp(w[0], "stop") && n == 1) {
        if (s->stopping) {
            error_setg(errp, "vmmci: stop already in progress (EALREADY)");
            return;
        }
        s->stopping = true;
        if (vmmci_ctl(s, VMMCI_REBOOT, true) < 0) {
            openbsd_vmm_end("no-driver-ok", SHUTDOWN_CAUSE_HOST_QMP_QUIT);
        }
    } else if (n == 2 && !strcmp(w[0], "stop") && !strcmp(w[1], "-f")) {
        openbsd_vmm_end("forced", SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    } else if (n == 1 && !strcmp(w[0], "syncrtc")) {
        vmmci_ctl(s, VMMCI_SYNCRTC, true);
    } else if (n == 2 && !strcmp(w[0], "syncrtc") &&
               !strcmp(w[1], "--no-irq")) {
        vmmci_ctl(s, VMMCI_SYNCRTC, false);
    } else if ((n == 2 || (n == 3 && !strcmp(w[2], "--no-irq"))) &&
               !strcmp(w[0], "inject")) {
        uint64_t raw;

        if (qemu_strtou64(w[1], NULL, 0, &raw) < 0 || raw > UINT32_MAX) {
            error_setg(errp, "vmmci: inject needs a 32-bit value");
            return;
        }
        s->cmd = raw;
        if (raw && n == 2) {
            vmmci_raise(s);
        }
    } else if (n == 2 && !strcmp(w[0], "clock")) {
        if (!vmmci_parse_seconds(w[1], &ns, errp)) {
            return;
        }
        openbsd_vmm_host_clock_step(ns);
        /* vmd's 1 s RTC tick notices forward jumps of more than 5 s */
        if (ns > 5 * NANOSECONDS_PER_SECOND) {
            vmmci_ctl(s, VMMCI_SYNCRTC, true);
        }
    } else if ((n == 2 || n == 3) && !strcmp(w[0], "hostile")) {
        uint64_t ms, seed = 1;

        if (qemu_strtou64(w[1], NULL, 0, &ms) < 0 || ms > 3600000 ||
            (n == 3 && (qemu_strtou64(w[2], NULL, 0, &seed) < 0 ||
                        seed > UINT32_MAX))) {
            error_setg(errp, "vmmci: hostile MSEC [SEED]");
            return;
        }
        if (!ms) {
            if (vmmci_hostile(s)) {
                s->hostile_end_ms = 1;
                vmmci_hostile_tick(s);
            }
        } else {
            if (!vmmci_hostile(s)) {
                s->hostile_saved_cmd = s->cmd;
            }
            g_rand_set_seed(s->rand, seed);
            s->hostile_end_ms = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + ms;
            vmmci_hostile_tick(s);
        }
    } else if (n == 2 && !strcmp(w[0], "send")) {
        uint32_t cmd;

        if (!strcmp(w[1], "shutdown")) {
            cmd = VMMCI_SHUTDOWN;
        } else if (!strcmp(w[1], "reboot")) {
            cmd = VMMCI_REBOOT;
        } else if (!strcmp(w[1], "syncrtc")) {
            cmd = VMMCI_SYNCRTC;
        } else {
            error_setg(errp, "vmmci: send shutdown|reboot|syncrtc");
            return;
        }
        if (vmmci_ctl(s, cmd, true) < 0) {
            error_setg(errp, "vmmci: guest has not set DRIVER_OK");
            return;
        }
    } else {
        error_setg(errp, "vmmci: unknown request '%s'", value);
        return;
    }
    g_free(s->last_request);
    s->last_request = g_strdup(value);
}

static char *vmmci_get_request(Object *obj, Error **errp)
{
    VmmciState *s = VMMCI(obj);

    return g_strdup(s->last_request ? s->last_request : "");
}

static char *vmmci_get_state(Object *obj, Error **errp)
{
    VmmciState *s = VMMCI(obj);
    int64_t left = 0;

    if (timer_pending(s->timer)) {
        left = MAX(s->timer_deadline -
                   qemu_clock_get_ms(QEMU_CLOCK_REALTIME), 0);
    }
    return g_strdup_printf("pending=%u\nlast_ack=%u\nacks=%u\n"
                           "status=0x%02x\nfeatures=0x%x\nisr=0x%x\n"
                           "timer=%s\ntimer_ms=%" PRId64 "\nstopping=%d\n"
                           "irqs=%u\ndropped=%u\nillegal=%u\n"
                           "time_reads=%u\nclock_offset_ns=%" PRId64 "\n"
                           "long_timeout=%u\nold_ack_rule=%d\n"
                           "spurious=%" PRIu64 "\nhostile_ms=%" PRId64 "\n"
                           "hostile_values=%" PRIu64 "\nend=%s\n",
                           s->cmd, s->last_ack, s->acks, s->status,
                           s->guest_features, s->isr,
                           timer_pending(s->timer) ?
                           vmmci_timer_names[s->timer_kind] : "none",
                           left, s->stopping, s->irqs, s->dropped,
                           s->illegal, s->time_reads,
                           openbsd_vmm_host_clock_offset_ns(),
                           s->long_timeout, s->old_ack_rule,
                           s->spurious,
                           vmmci_hostile(s) ? s->hostile_end_ms -
                           qemu_clock_get_ms(QEMU_CLOCK_REALTIME) : 0,
                           s->hostile_values,
                           openbsd_vmm_end_reason());
}

/* Device glue */

static void vmmci_reset(DeviceState *dev)
{
    VmmciState *s = VMMCI(dev);

    /*
     * A guest reboot of a VM that "vmctl stop" marked as stopping ends it
     * (vmd terminates instead of restarting).  Without -no-reboot QEMU
     * resets instead of exiting, so catch it here.
     */
    if (s->stopping) {
        openbsd_vmm_end("guest-reboot", SHUTDOWN_CAUSE_GUEST_RESET);
        return;
    }
    /* vmd restarts a rebooting VM with a fresh vm process */
    vmmci_disarm(s);
    s->guest_features = 0;
    s->queue_pfn = 0;
    s->queue_select = 0;
    s->queue_notify = 0;
    s->status = 0;
    s->isr = 0;
    s->cmd = VMMCI_NONE;
    s->time_sec = 0;
    s->time_usec = 0;
    pci_set_irq(PCI_DEVICE(s), 0);
}

static void vmmci_realize(PCIDevice *pdev, Error **errp)
{
    VmmciState *s = VMMCI(pdev);
    uint8_t *conf = pdev->config;

    if (!s->short_timeout_ms || !s->long_timeout) {
        error_setg(errp, "vmmci: timeouts must not be 0");
        return;
    }
    openbsd_vmm_setup();
    pci_set_word(conf + PCI_SUBSYSTEM_VENDOR_ID, VMMCI_VENDOR_ID);
    pci_set_word(conf + PCI_SUBSYSTEM_ID, VMMCI_SUBSYS_ID);
    pci_config_set_interrupt_pin(conf, 1);
    memory_region_init_io(&s->io, OBJECT(s), &vmmci_ops, s, "vmmci",
                          VMMCI_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    s->timer = timer_new_ms(QEMU_CLOCK_REALTIME, vmmci_timeout, s);
    s->hostile_timer = timer_new_ms(QEMU_CLOCK_REALTIME, vmmci_hostile_tick,
                                    s);
    s->rand = g_rand_new_with_seed(1);
}

static void vmmci_exit(PCIDevice *pdev)
{
    VmmciState *s = VMMCI(pdev);

    timer_free(s->timer);
    s->timer = NULL;
    timer_free(s->hostile_timer);
    s->hostile_timer = NULL;
    g_rand_free(s->rand);
    s->rand = NULL;
    g_free(s->last_request);
    s->last_request = NULL;
}

static const VMStateDescription vmstate_vmmci = {
    .name = "vmmci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VmmciState),
        VMSTATE_UINT32(guest_features, VmmciState),
        VMSTATE_UINT32(queue_pfn, VmmciState),
        VMSTATE_UINT16(queue_select, VmmciState),
        VMSTATE_UINT16(queue_notify, VmmciState),
        VMSTATE_UINT8(status, VmmciState),
        VMSTATE_UINT8(isr, VmmciState),
        VMSTATE_UINT32(cmd, VmmciState),
        VMSTATE_UINT32(time_sec, VmmciState),
        VMSTATE_UINT32(time_usec, VmmciState),
        VMSTATE_UINT32(timer_kind, VmmciState),
        VMSTATE_INT64(timer_deadline, VmmciState),
        VMSTATE_BOOL(stopping, VmmciState),
        VMSTATE_TIMER_PTR(timer, VmmciState),
        VMSTATE_END_OF_LIST()
    },
};

static Property vmmci_properties[] = {
    DEFINE_PROP_UINT32("long-timeout", VmmciState, long_timeout, 120),
    DEFINE_PROP_UINT32("short-timeout-ms", VmmciState, short_timeout_ms,
                       3000),
    DEFINE_PROP_BOOL("old-ack-rule", VmmciState, old_ack_rule, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void vmmci_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vmmci_realize;
    k->exit = vmmci_exit;
    k->vendor_id = VMMCI_VENDOR_ID;
    k->device_id = VMMCI_DEVICE_ID;
    k->revision = 0;
    k->class_id = PCI_CLASS_COMMUNICATION_OTHER;
    dc->desc = "OpenBSD vmd VMM control device (vmmci)";
    dc->reset = vmmci_reset;
    dc->vmsd = &vmstate_vmmci;
    device_class_set_props(dc, vmmci_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    object_class_property_add_str(klass, "request", vmmci_get_request,
                                  vmmci_set_request);
    object_class_property_add_str(klass, "state", vmmci_get_state, NULL);
}

static const TypeInfo vmmci_info = {
    .name = TYPE_VMMCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VmmciState),
    .class_init = vmmci_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void vmmci_register_types(void)
{
    type_register_static(&vmmci_info);
}

type_init(vmmci_register_types)
