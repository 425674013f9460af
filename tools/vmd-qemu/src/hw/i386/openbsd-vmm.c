/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * OpenBSD vmm(4) host model for TCG (pvkit): hypervisor CPUID leaves, the
 * KVM-style pvclock MSRs as vmm implements them, HLT-with-IF=0 ending the
 * VM, and the model's host clock.
 *
 * vmm refreshes every registered pvclock page on each VM entry.  TCG has no
 * VM entries, so a host thread rewrites the pages every "interval"
 * microseconds, concurrently with the guest reading them; that is the
 * situation the guest's version protocol is there for.
 *
 * Run-time knobs: qom-set OPENBSD_VMM_PATH request "key=value ...", see
 * openbsd_vmm_set_request(); qom-get OPENBSD_VMM_PATH state.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/notify.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "hw/boards.h"
#include "hw/core/cpu.h"
#include "sysemu/cpu-timers.h"
#include "sysemu/reset.h"
#include "sysemu/runstate.h"
#include "target/i386/cpu.h"
#include "hw/virtio/virtio.h"
#include "hw/i386/openbsd-vmm.h"
#include "trace.h"

#define OPENBSD_VMM_MAX_VCPUS   64

/* pvclock_vcpu_time_info, as vmm fills it (32 bytes) */
#define PVTI_VERSION            0
#define PVTI_TSC_TIMESTAMP      8
#define PVTI_SYSTEM_TIME        16
#define PVTI_MUL                24
#define PVTI_SHIFT              28
#define PVTI_FLAGS              29
#define PVTI_SIZE               32
#define PVCLOCK_TSC_STABLE_BIT  0x01
#define PVTI_TSC_SHIFT          12

/* wall clock struct: u32 version, u32 sec, u32 nsec */
#define PVWC_SIZE               12

OBJECT_DECLARE_SIMPLE_TYPE(OpenBSDVmmState, OPENBSD_VMM)

typedef struct OpenBSDVmmVcpu {
    CPUState *cpu;
    uint64_t msr;           /* last value written to the MSR */
    uint8_t *hva;           /* NULL when updates are disabled */
    uint32_t counter;       /* vmm's per-vCPU version counter */
    uint64_t updates;
    uint32_t last_version;
    /* evidence: refreshes that moved this page's clock back, and by how much */
    uint64_t backsteps;
    int64_t max_backstep_ns;
    bool garbled;           /* the page holds hostile garbage, not a clock */
} OpenBSDVmmVcpu;

/*
 * A storm of spurious interrupts on one device's lines, from a main-loop
 * timer (the interrupt paths need the BQL).
 */
#define OPENBSD_VMM_STORMS      4

typedef struct OpenBSDVmmStorm {
    Object *target;         /* NULL: slot free */
    char *path;
    QEMUTimer *timer;
    uint32_t rate;          /* per second */
    int64_t start_ns;       /* QEMU_CLOCK_REALTIME */
    int64_t end_ns;
    uint64_t ticks;         /* storm rounds run */
    uint64_t fired;         /* interrupts raised (one per queue on virtio) */
} OpenBSDVmmStorm;

struct OpenBSDVmmState {
    Object parent_obj;

    /* protects vcpu[] and the knobs below against the updater thread */
    QemuMutex lock;
    OpenBSDVmmVcpu vcpu[OPENBSD_VMM_MAX_VCPUS];
    uint32_t interval_us;
    bool stable;
    int32_t mul_ppm;
    int64_t stuck_until_ns; /* host monotonic; updates stop until then */
    bool stuck_odd;         /* ... with every page's version left odd */
    bool wall_clock;        /* vmm 1.64 handles the wall clock MSR */
    uint64_t tsc_hz;        /* vmm's tsc_frequency, from which mul comes */
    uint64_t wall_writes;
    uint64_t gp_injected;
    int64_t hostile_until_ns;   /* host monotonic; garbage until then */
    GRand *rand;
    uint64_t hostile_values;

    OpenBSDVmmStorm storm[OPENBSD_VMM_STORMS];  /* under the BQL */

    QemuThread thread;
    QemuSemaphore wake;
    bool thread_started;
    bool quit;
    Notifier shutdown_notifier;
    char *last_request;
};

static OpenBSDVmmState *openbsd_vmm_state;
static int64_t openbsd_vmm_clock_offset_ns;
static const char *openbsd_vmm_ended;
static QemuMutex openbsd_vmm_hlt_lock;

/* Host clocks */

int64_t openbsd_vmm_host_realtime_ns(void)
{
    return get_clock_realtime() + qatomic_read(&openbsd_vmm_clock_offset_ns);
}

void openbsd_vmm_host_clock_step(int64_t delta_ns)
{
    qatomic_add(&openbsd_vmm_clock_offset_ns, delta_ns);
}

int64_t openbsd_vmm_host_clock_offset_ns(void)
{
    return qatomic_read(&openbsd_vmm_clock_offset_ns);
}

/* Ending the VM */

void openbsd_vmm_end(const char *reason, ShutdownCause cause)
{
    if (qatomic_cmpxchg(&openbsd_vmm_ended, NULL, reason) != NULL) {
        return;
    }
    fprintf(stderr, "vmd-qemu: vm-end reason=%s\n", reason);
    fflush(stderr);
    qemu_system_shutdown_request(cause);
}

const char *openbsd_vmm_end_reason(void)
{
    const char *r = qatomic_read(&openbsd_vmm_ended);

    return r ? r : "running";
}

/*
 * QEMU's own guest-driven exits (a triple fault or reset under -no-reboot,
 * an ACPI poweroff in the SMP profiles) also end the VM; report them with
 * the same line.  Host-driven exits (signals, QMP quit) print nothing.
 */
static void openbsd_vmm_shutdown_notify(Notifier *n, void *opaque)
{
    ShutdownCause cause = *(ShutdownCause *)opaque;

    switch (cause) {
    case SHUTDOWN_CAUSE_GUEST_RESET:
        openbsd_vmm_end("guest-reboot", cause);
        break;
    case SHUTDOWN_CAUSE_GUEST_SHUTDOWN:
        openbsd_vmm_end("guest-poweroff", cause);
        break;
    default:
        break;
    }
}

bool openbsd_vmm_guest_eax(uint32_t *eax)
{
    CPUState *cs = current_cpu;

    /*
     * Port I/O from TCG runs in the vCPU thread, inside the in/out helper,
     * and TCG has stored the guest registers to env before calling it, so
     * EAX here is what vmm would have loaded into vei_data.
     */
    if (!cs || !object_dynamic_cast(OBJECT(cs), TYPE_X86_CPU)) {
        return false;
    }
    *eax = (uint32_t)X86_CPU(cs)->env.regs[R_EAX];
    return true;
}

/* TSC */

/*
 * The guest TSC.  vmm passes the host's invariant TSC through.  QEMU's TCG
 * TSC is the host TSC of whichever core runs the reading thread, clamped
 * to stay monotonic; where host cores disagree (nested virtualization) each
 * clamp gains time, and with several busy vCPUs the guest TSC ran up to 6 %
 * fast here.  So for openbsd-vmm CPUs the TSC is synthesized from host
 * CLOCK_MONOTONIC at a fixed rate: invariant, the same on every vCPU, and
 * running while the VM is paused, like the host TSC under vmm.
 */
static int64_t openbsd_vmm_tsc_base_ns;
static uint64_t openbsd_vmm_tsc_hz;

uint64_t openbsd_vmm_tsc(void)
{
    int64_t ns = get_clock() - openbsd_vmm_tsc_base_ns;

    return (uint64_t)((unsigned __int128)MAX(ns, 0) * openbsd_vmm_tsc_hz /
                      1000000000u);
}

/*
 * The rate: the host TSC's, measured against host CLOCK_MONOTONIC over
 * 100 ms and rounded to kHz (what the guest kernel calibrates against the
 * emulated PIT anyway).
 */
static uint64_t openbsd_vmm_calibrate_tsc(void)
{
    int64_t t0, t1, n0, n1;

    n0 = get_clock();
    t0 = cpu_get_host_ticks();
    g_usleep(100 * 1000);
    n1 = get_clock();
    t1 = cpu_get_host_ticks();
    if (n1 <= n0 || t1 <= t0) {
        return 2000000000;
    }
    return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000u /
                      (uint64_t)(n1 - n0)) * 1000;
}

/*
 * The model's nanouptime() at TSC value @ticks: host monotonic time,
 * recovered from the TSC value itself.  vmm's nanouptime and its
 * tsc_frequency come from the same timecounter, so the truncated mul makes
 * the guest's extrapolation a little slow and every refresh steps it
 * forward; deriving the uptime from the very value written as
 * tsc_timestamp keeps exactly that (a separately read clock would add
 * sampling jitter, i.e. backward steps).
 */
static int64_t openbsd_vmm_uptime_at(uint64_t ticks)
{
    return openbsd_vmm_tsc_base_ns +
           (int64_t)((unsigned __int128)ticks * 1000000000u /
                     openbsd_vmm_tsc_hz);
}

static uint32_t openbsd_vmm_mul(OpenBSDVmmState *s)
{
    uint64_t mul;

    if (!s->tsc_hz) {
        /* vmm without a known TSC frequency: the clock only re-anchors */
        return 0;
    }
    /* vmm: (int)((10^9 << 20) / tsc_frequency), truncated */
    mul = (1000000000ULL << 20) / s->tsc_hz;
    if (s->mul_ppm) {
        mul = (uint64_t)((int64_t)mul +
                         (int64_t)mul * s->mul_ppm / 1000000);
    }
    return (uint32_t)mul;
}

/* pvclock page updates */

/*
 * The odd version that opens an update.  vmm writes (++counter << 1) | 1,
 * one above the new even value, which is safe there because vmm updates a
 * page only while its vCPU is stopped.  The model updates pages while the
 * vCPUs run, and Linux's pvclock reader masks the odd bit off the version
 * it starts with: it would take vmm's odd value for the finished update
 * and keep a torn reading (a tsc_timestamp of one round with the
 * system_time of another, one refresh interval off).  So the model opens
 * with the last even value plus one, as KVM does; the even values, all a
 * guest ever sees on vmm, are vmm's.
 */
static uint32_t openbsd_vmm_version_open(OpenBSDVmmVcpu *v)
{
    return (v->counter << 1) | 1;
}

/*
 * Refresh one vCPU's page with the anchor (@ticks, @now): every page of a
 * round gets the same anchor, so a task moving between vCPUs does not see
 * time go back.  Called with s->lock held.
 */
static void openbsd_vmm_update_one(OpenBSDVmmState *s, int idx,
                                   uint64_t ticks, int64_t now)
{
    OpenBSDVmmVcpu *v = &s->vcpu[idx];
    uint8_t *p = v->hva;
    uint32_t version;

    if (!p) {
        return;
    }
    if (v->updates && !v->garbled) {
        /* what a guest reading the old contents now would compute */
        uint64_t ots = ldq_le_p(p + PVTI_TSC_TIMESTAMP);
        uint64_t tsc = ticks + X86_CPU(v->cpu)->env.tsc_offset;
        int64_t old = ldq_le_p(p + PVTI_SYSTEM_TIME);

        if (tsc > ots) {
            old += (int64_t)(((unsigned __int128)((tsc - ots) << PVTI_TSC_SHIFT)
                              * ldl_le_p(p + PVTI_MUL)) >> 32);
        }
        if (old > now) {
            v->backsteps++;
            v->max_backstep_ns = MAX(v->max_backstep_ns, old - now);
        }
    }
    qatomic_set((uint32_t *)(p + PVTI_VERSION),
                cpu_to_le32(openbsd_vmm_version_open(v)));
    /* odd version before the fields; pairs with the guest's rmb */
    smp_wmb();
    /* the guest-visible TSC, exactly as helper_rdtsc computes it */
    stq_le_p(p + PVTI_TSC_TIMESTAMP,
             ticks + X86_CPU(v->cpu)->env.tsc_offset);
    stq_le_p(p + PVTI_SYSTEM_TIME, now);
    stl_le_p(p + PVTI_MUL, openbsd_vmm_mul(s));
    p[PVTI_SHIFT] = PVTI_TSC_SHIFT;
    p[PVTI_FLAGS] = s->stable ? PVCLOCK_TSC_STABLE_BIT : 0;
    /* fields before the even version; pairs with the guest's rmb */
    smp_wmb();
    version = ++v->counter << 1;
    qatomic_set((uint32_t *)(p + PVTI_VERSION), cpu_to_le32(version));
    v->last_version = version;
    v->updates++;
    v->garbled = false;
}

static bool openbsd_vmm_stuck(OpenBSDVmmState *s)
{
    return s->stuck_until_ns && get_clock() < s->stuck_until_ns;
}

/*
 * "stuck-odd": a host that stalls in the middle of an update, leaving the
 * version odd (vmm itself cannot, it updates while the vCPU is stopped).
 * Called with s->lock held.
 */
static void openbsd_vmm_begin_all(OpenBSDVmmState *s)
{
    int i;

    for (i = 0; i < OPENBSD_VMM_MAX_VCPUS; i++) {
        OpenBSDVmmVcpu *v = &s->vcpu[i];

        if (v->hva) {
            v->last_version = openbsd_vmm_version_open(v);
            qatomic_set((uint32_t *)(v->hva + PVTI_VERSION),
                        cpu_to_le32(v->last_version));
        }
    }
    /* odd versions visible before the stall; pairs with guest reads */
    smp_wmb();
}

/* One refresh round over every registered page; s->lock held */
static void openbsd_vmm_update_all(OpenBSDVmmState *s)
{
    uint64_t ticks = openbsd_vmm_tsc();
    int64_t now = openbsd_vmm_uptime_at(ticks);
    int i;

    for (i = 0; i < OPENBSD_VMM_MAX_VCPUS; i++) {
        openbsd_vmm_update_one(s, i, ticks, now);
    }
}

/* Hostile host */

static bool openbsd_vmm_hostile(OpenBSDVmmState *s)
{
    return s->hostile_until_ns && get_clock() < s->hostile_until_ns;
}

/* Near @base, far behind or ahead of it, an edge value or anything */
static uint64_t openbsd_vmm_garbage64(GRand *r, uint64_t base)
{
    static const uint64_t edge[] = {
        0, 1, 0xffffffffULL, 1ULL << 32, INT64_MAX, 1ULL << 63, UINT64_MAX,
    };

    switch (g_rand_int_range(r, 0, 5)) {
    case 0:
        return base - g_rand_int(r);
    case 1:
        return base + ((uint64_t)g_rand_int(r) << g_rand_int_range(r, 0, 32));
    case 2:
        return base - ((uint64_t)g_rand_int(r) << 31);
    case 3:
        return edge[g_rand_int_range(r, 0, ARRAY_SIZE(edge))];
    default:
        return ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
    }
}

/*
 * Garbage in one page where the clock should be: any version (odd or even,
 * repeated, going back), the anchor far in the past or future, mul 0 or
 * huge, shifts out of range, the flags (STABLE, GUEST_STOPPED) flipping.
 * Each field written is one hostile value.  Called with s->lock held.
 */
static void openbsd_vmm_hostile_one(OpenBSDVmmState *s, OpenBSDVmmVcpu *v,
                                    uint64_t ticks, int64_t now)
{
    static const uint32_t muls[] = { 0, 1, 0x7fffffff, 0xffffffff };
    static const int8_t shifts[] = { -128, -64, -33, -32, 31, 32, 63, 127 };
    uint8_t *p = v->hva;
    GRand *r = s->rand;
    uint32_t version;

    if (!p) {
        return;
    }
    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        version = g_rand_int(r);
        break;
    case 1:
        version = v->last_version;
        break;
    case 2:
        version = v->last_version - 2;
        break;
    default:
        version = (++v->counter << 1) | 1;
        break;
    }
    qatomic_set((uint32_t *)(p + PVTI_VERSION), cpu_to_le32(version));
    /* the garbage keeps the protocol's order, so only its values lie */
    smp_wmb();
    stq_le_p(p + PVTI_TSC_TIMESTAMP, openbsd_vmm_garbage64(r, ticks));
    stq_le_p(p + PVTI_SYSTEM_TIME, openbsd_vmm_garbage64(r, now));
    stl_le_p(p + PVTI_MUL, g_rand_boolean(r) ?
             muls[g_rand_int_range(r, 0, ARRAY_SIZE(muls))] : g_rand_int(r));
    p[PVTI_SHIFT] = g_rand_boolean(r) ?
                    shifts[g_rand_int_range(r, 0, ARRAY_SIZE(shifts))] :
                    g_rand_int(r);
    p[PVTI_FLAGS] = g_rand_int(r);
    /* fields before the closing version, as in a real update */
    smp_wmb();
    /* half the time the version ends odd: a host stalled mid-update */
    version = g_rand_boolean(r) ? version & ~1u : version | 1;
    qatomic_set((uint32_t *)(p + PVTI_VERSION), cpu_to_le32(version));
    v->last_version = version;
    v->garbled = true;
    s->hostile_values += 7;
}

static void openbsd_vmm_hostile_all(OpenBSDVmmState *s)
{
    uint64_t ticks = openbsd_vmm_tsc();
    int64_t now = openbsd_vmm_uptime_at(ticks);
    int i;

    for (i = 0; i < OPENBSD_VMM_MAX_VCPUS; i++) {
        openbsd_vmm_hostile_one(s, &s->vcpu[i], ticks, now);
    }
}

static void *openbsd_vmm_thread(void *opaque)
{
    OpenBSDVmmState *s = opaque;
    uint32_t interval;

    rcu_register_thread();
    for (;;) {
        qemu_mutex_lock(&s->lock);
        interval = s->interval_us;
        if (s->quit) {
            qemu_mutex_unlock(&s->lock);
            break;
        }
        if (runstate_is_running() && openbsd_vmm_hostile(s)) {
            openbsd_vmm_hostile_all(s);
        } else if (runstate_is_running() && !openbsd_vmm_stuck(s)) {
            openbsd_vmm_update_all(s);
        }
        qemu_mutex_unlock(&s->lock);
        qemu_sem_timedwait(&s->wake, MAX(interval / 1000, 1));
        if (interval < 1000) {
            /* sub-millisecond intervals: the semaphore has ms resolution */
            g_usleep(interval);
        }
    }
    rcu_unregister_thread();
    return NULL;
}

/*
 * Host pointer to @len bytes of guest RAM at @gpa, or NULL if that is not
 * plain RAM.  Guest RAM of the pc machine is never unplugged, so the
 * pointer stays valid for the life of the VM.
 */
static uint8_t *openbsd_vmm_ram_ptr(hwaddr gpa, hwaddr len)
{
    MemoryRegion *mr;
    hwaddr xlat, l = len;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, gpa, &xlat, &l,
                                 true, MEMTXATTRS_UNSPECIFIED);
    if (!memory_region_is_ram(mr) || memory_region_is_rom(mr) || l < len) {
        return NULL;
    }
    return (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
}

static OpenBSDVmmMsrResult openbsd_vmm_system_time(OpenBSDVmmState *s,
                                                   CPUState *cs,
                                                   uint64_t val)
{
    OpenBSDVmmVcpu *v;
    hwaddr gpa = val & ~0xfULL;
    uint8_t *hva = NULL;

    if (cs->cpu_index >= OPENBSD_VMM_MAX_VCPUS) {
        return OPENBSD_VMM_MSR_GP;
    }
    if (val & 1) {
        /* vmm: the struct must be in guest RAM and within one page */
        if ((gpa & 0xfff) + PVTI_SIZE > 0x1000) {
            hva = NULL;
        } else {
            hva = openbsd_vmm_ram_ptr(gpa, PVTI_SIZE);
        }
        if (!hva) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "openbsd-vmm: cpu%d: pvclock gpa 0x%" PRIx64
                          " rejected (#GP)\n", cs->cpu_index, val);
            s->gp_injected++;
            return OPENBSD_VMM_MSR_GP;
        }
    }
    qemu_mutex_lock(&s->lock);
    v = &s->vcpu[cs->cpu_index];
    v->cpu = cs;
    v->msr = val;
    v->hva = hva;
    trace_openbsd_vmm_pvclock_register(cs->cpu_index, val);
    /* vmm updates at the VM entry right after the WRMSR exit */
    if (!openbsd_vmm_stuck(s)) {
        uint64_t ticks = openbsd_vmm_tsc();

        openbsd_vmm_update_one(s, cs->cpu_index, ticks,
                               openbsd_vmm_uptime_at(ticks));
    }
    qemu_mutex_unlock(&s->lock);
    return OPENBSD_VMM_MSR_DONE;
}

static OpenBSDVmmMsrResult openbsd_vmm_wall(OpenBSDVmmState *s, uint64_t gpa)
{
    uint8_t buf[PVWC_SIZE];
    int64_t boot_ns;
    uint32_t version = 0;
    MemTxResult r;

    if (!s->wall_clock) {
        /* vmm before 1.64 drops this write */
        return OPENBSD_VMM_MSR_DONE;
    }
    /*
     * nanoboottime(): the host's UTC time at boot, i.e. wall clock minus
     * the uptime the pvclock pages carry, so that boot time + system_time
     * is the host's wall clock; written once per WRMSR, never refreshed.
     */
    boot_ns = openbsd_vmm_host_realtime_ns() -
              openbsd_vmm_uptime_at(openbsd_vmm_tsc());
    address_space_read(&address_space_memory, gpa, MEMTXATTRS_UNSPECIFIED,
                       &version, 4);
    version = le32_to_cpu(version);
    stl_le_p(buf, version | 1);
    r = address_space_write(&address_space_memory, gpa,
                            MEMTXATTRS_UNSPECIFIED, buf, 4);
    stl_le_p(buf, (version | 1) + 1);
    stl_le_p(buf + 4, (uint32_t)(boot_ns / 1000000000));
    stl_le_p(buf + 8, (uint32_t)(boot_ns % 1000000000));
    r |= address_space_write(&address_space_memory, gpa + 4,
                             MEMTXATTRS_UNSPECIFIED, buf + 4, 8);
    /* pairs with the guest's read of the version before sec/nsec */
    smp_wmb();
    r |= address_space_write(&address_space_memory, gpa,
                             MEMTXATTRS_UNSPECIFIED, buf, 4);
    if (r != MEMTX_OK) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "openbsd-vmm: wall clock gpa 0x%" PRIx64 " unusable\n",
                      gpa);
    }
    s->wall_writes++;
    trace_openbsd_vmm_wall_clock(gpa, boot_ns);
    return OPENBSD_VMM_MSR_DONE;
}

OpenBSDVmmMsrResult openbsd_vmm_wrmsr(CPUState *cs, uint32_t msr,
                                      uint64_t val)
{
    OpenBSDVmmState *s = openbsd_vmm_state;

    if (!s) {
        return OPENBSD_VMM_MSR_UNHANDLED;
    }
    switch (msr) {
    case OPENBSD_VMM_MSR_SYSTEM_TIME:
        return openbsd_vmm_system_time(s, cs, val);
    case OPENBSD_VMM_MSR_WALL_CLOCK:
        return openbsd_vmm_wall(s, val);
    case OPENBSD_VMM_MSR_WALL_CLOCK_OLD:
    case OPENBSD_VMM_MSR_SYSTEM_TIME_OLD:
        /* vmm discards writes to the legacy KVM clock MSRs */
        return OPENBSD_VMM_MSR_DONE;
    default:
        return OPENBSD_VMM_MSR_UNHANDLED;
    }
}

OpenBSDVmmMsrResult openbsd_vmm_rdmsr(CPUState *cs, uint32_t msr)
{
    switch (msr) {
    case OPENBSD_VMM_MSR_SYSTEM_TIME:
    case OPENBSD_VMM_MSR_WALL_CLOCK:
    case OPENBSD_VMM_MSR_WALL_CLOCK_OLD:
    case OPENBSD_VMM_MSR_SYSTEM_TIME_OLD:
        /* vmm injects #GP for every RDMSR it does not know */
        return OPENBSD_VMM_MSR_GP;
    default:
        return OPENBSD_VMM_MSR_UNHANDLED;
    }
}

/* CPUID */

static void openbsd_vmm_sig(const char *sig, uint32_t *ebx, uint32_t *ecx,
                            uint32_t *edx)
{
    *ebx = ldl_le_p(sig);
    *ecx = ldl_le_p(sig + 4);
    *edx = ldl_le_p(sig + 8);
}

void openbsd_vmm_cpuid(CPUState *cs, bool kvm_leaf, uint32_t index,
                       uint32_t *eax, uint32_t *ebx,
                       uint32_t *ecx, uint32_t *edx)
{
    *eax = *ebx = *ecx = *edx = 0;
    switch (index) {
    case 0x40000000:
        /* vmm reports EAX 0 here, not the highest leaf */
        openbsd_vmm_sig("OpenBSDVMM58", ebx, ecx, edx);
        break;
    case 0x40000001:
        /* CLOCKSOURCE2 | CLOCKSOURCE_STABLE_BIT */
        *eax = 0x01000008;
        break;
    case 0x40000100:
        if (kvm_leaf) {
            *eax = 0x40000101;
            openbsd_vmm_sig("KVMKVMKVM\0\0\0", ebx, ecx, edx);
        }
        break;
    case 0x40000101:
        if (kvm_leaf) {
            /* CLOCKSOURCE2 | NOP_IO_DELAY | CLOCKSOURCE_STABLE_BIT */
            *eax = 0x0100000a;
        }
        break;
    default:
        break;
    }
}

/*
 * vmm on a host whose TSC is invariant (cpu property openbsd-vmm-invtsc):
 * 0x80000007 EDX masked to the invariant-TSC bit alone, and leaf 0x15
 * synthesized so that ECX * 100 is the TSC rate in Hz.  Our TSC (see
 * openbsd_vmm_tsc()) is synthesized from host monotonic time, so the
 * claim holds.
 */
void openbsd_vmm_cpuid_tsc(uint32_t index, uint32_t *eax, uint32_t *ebx,
                           uint32_t *ecx, uint32_t *edx)
{
    *eax = *ebx = *ecx = *edx = 0;
    if (index == 0x80000007) {
        *edx = CPUID_APM_INVTSC;
    } else if (index == 0x15) {
        *eax = 1;
        *ebx = 100;
        *ecx = openbsd_vmm_tsc_hz / 100;
    }
}

/* HLT with interrupts disabled */

void openbsd_vmm_hlt_noint(CPUState *cs)
{
    CPUState *other;
    bool all = true;

    /*
     * vmm ends the VM when its (single) vCPU halts with IF=0.  With several
     * vCPUs (the SMP profiles, which real vmm does not have) a CPU going
     * offline halts that way too, so end only when every vCPU has.
     */
    qemu_mutex_lock(&openbsd_vmm_hlt_lock);
    qatomic_set(&cs->halted, 1);
    CPU_FOREACH(other) {
        if (other == cs) {
            continue;
        }
        if (!qatomic_read(&other->halted) ||
            (X86_CPU(other)->env.eflags & IF_MASK)) {
            all = false;
            break;
        }
    }
    qemu_mutex_unlock(&openbsd_vmm_hlt_lock);
    trace_openbsd_vmm_hlt_noint(cs->cpu_index, all);
    if (all) {
        openbsd_vmm_end("guest-poweroff", SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
    }
}

/* Control: request and state properties */

/*
 * The knobs one request names, parsed and range-checked in full before any
 * of them is applied: a request with one bad key changes nothing.
 */
enum {
    OPENBSD_VMM_KNOB_INTERVAL   = 1 << 0,
    OPENBSD_VMM_KNOB_STABLE     = 1 << 1,
    OPENBSD_VMM_KNOB_MUL_PPM    = 1 << 2,
    OPENBSD_VMM_KNOB_STUCK      = 1 << 3,
    OPENBSD_VMM_KNOB_WALL_CLOCK = 1 << 4,
    OPENBSD_VMM_KNOB_TSC_HZ     = 1 << 5,
    OPENBSD_VMM_KNOB_HOSTILE    = 1 << 6,
    OPENBSD_VMM_KNOB_SEED       = 1 << 7,
};

typedef struct OpenBSDVmmKnobs {
    unsigned int set;
    uint32_t interval_us;
    bool stable;
    int32_t mul_ppm;
    uint64_t stuck_ms;
    bool stuck_odd;
    bool wall_clock;
    uint64_t tsc_hz;
    uint64_t hostile_ms;
    uint32_t seed;
} OpenBSDVmmKnobs;

static bool openbsd_vmm_parse_int(const char *k, const char *v,
                                  int64_t min, int64_t max, int64_t *out,
                                  Error **errp)
{
    if (qemu_strtoi64(v, NULL, 0, out) < 0 || *out < min || *out > max) {
        error_setg(errp, "openbsd-vmm: %s=%s: want %" PRId64 "..%" PRId64,
                   k, v, min, max);
        return false;
    }
    return true;
}

/* One "key=value" word into @kn; false (and @errp set) if it is bad */
static bool openbsd_vmm_parse_knob(char *word, OpenBSDVmmKnobs *kn,
                                   Error **errp)
{
    char *v = strchr(word, '=');
    const char *k = word;
    int64_t n;

    if (!v) {
        error_setg(errp, "openbsd-vmm: expected key=value, got '%s'", word);
        return false;
    }
    *v++ = '\0';
    if (!strcmp(k, "interval")) {
        if (!openbsd_vmm_parse_int(k, v, 10, 10000000, &n, errp)) {
            return false;
        }
        kn->interval_us = n;
        kn->set |= OPENBSD_VMM_KNOB_INTERVAL;
    } else if (!strcmp(k, "stable")) {
        if (!openbsd_vmm_parse_int(k, v, 0, 1, &n, errp)) {
            return false;
        }
        kn->stable = n;
        kn->set |= OPENBSD_VMM_KNOB_STABLE;
    } else if (!strcmp(k, "mul-ppm")) {
        if (!openbsd_vmm_parse_int(k, v, -100000, 100000, &n, errp)) {
            return false;
        }
        kn->mul_ppm = n;
        kn->set |= OPENBSD_VMM_KNOB_MUL_PPM;
    } else if (!strcmp(k, "stuck") || !strcmp(k, "stuck-odd")) {
        /* ms from now, 0 cancels; a day at most */
        if (!openbsd_vmm_parse_int(k, v, 0, 86400000, &n, errp)) {
            return false;
        }
        kn->stuck_ms = n;
        kn->stuck_odd = !strcmp(k, "stuck-odd");
        kn->set |= OPENBSD_VMM_KNOB_STUCK;
    } else if (!strcmp(k, "wall-clock")) {
        if (!openbsd_vmm_parse_int(k, v, 0, 1, &n, errp)) {
            return false;
        }
        kn->wall_clock = n;
        kn->set |= OPENBSD_VMM_KNOB_WALL_CLOCK;
    } else if (!strcmp(k, "tsc-hz")) {
        /* what vmm believes the TSC runs at; "auto": what it does */
        if (!strcmp(v, "auto")) {
            n = openbsd_vmm_tsc_hz;
        } else if (!openbsd_vmm_parse_int(k, v, 0, 100000000000LL, &n,
                                          errp)) {
            return false;
        }
        kn->tsc_hz = n;
        kn->set |= OPENBSD_VMM_KNOB_TSC_HZ;
    } else if (!strcmp(k, "hostile")) {
        /* ms of garbage from now, 0 ends it; an hour at most */
        if (!openbsd_vmm_parse_int(k, v, 0, 3600000, &n, errp)) {
            return false;
        }
        kn->hostile_ms = n;
        kn->set |= OPENBSD_VMM_KNOB_HOSTILE;
    } else if (!strcmp(k, "seed")) {
        if (!openbsd_vmm_parse_int(k, v, 0, UINT32_MAX, &n, errp)) {
            return false;
        }
        kn->seed = n;
        kn->set |= OPENBSD_VMM_KNOB_SEED;
    } else {
        error_setg(errp, "openbsd-vmm: unknown knob '%s'", k);
        return false;
    }
    return true;
}

static void openbsd_vmm_apply(OpenBSDVmmState *s, const OpenBSDVmmKnobs *kn)
{
    qemu_mutex_lock(&s->lock);
    if (kn->set & OPENBSD_VMM_KNOB_INTERVAL) {
        s->interval_us = kn->interval_us;
    }
    if (kn->set & OPENBSD_VMM_KNOB_STABLE) {
        s->stable = kn->stable;
    }
    if (kn->set & OPENBSD_VMM_KNOB_MUL_PPM) {
        s->mul_ppm = kn->mul_ppm;
    }
    if (kn->set & OPENBSD_VMM_KNOB_STUCK) {
        s->stuck_until_ns = kn->stuck_ms ?
                            get_clock() + (int64_t)kn->stuck_ms * 1000000 : 0;
        s->stuck_odd = kn->stuck_ms && kn->stuck_odd;
        if (s->stuck_odd) {
            openbsd_vmm_begin_all(s);
        }
    }
    if (kn->set & OPENBSD_VMM_KNOB_WALL_CLOCK) {
        s->wall_clock = kn->wall_clock;
    }
    if (kn->set & OPENBSD_VMM_KNOB_TSC_HZ) {
        s->tsc_hz = kn->tsc_hz;
    }
    if (kn->set & OPENBSD_VMM_KNOB_SEED) {
        g_rand_set_seed(s->rand, kn->seed);
    }
    if (kn->set & OPENBSD_VMM_KNOB_HOSTILE) {
        s->hostile_until_ns = kn->hostile_ms ?
                              get_clock() + (int64_t)kn->hostile_ms * 1000000 :
                              0;
    }
    qemu_mutex_unlock(&s->lock);
}

/*
 * "key=value ..." (blanks or commas between) with keys interval (us),
 * stable (0/1), mul-ppm (signed), stuck (ms from now, 0 cancels),
 * stuck-odd (the same, version left odd), wall-clock (0/1), tsc-hz (vmm's
 * idea of the TSC rate, for mul; "auto"), hostile (ms of garbage in the
 * pages from now, 0 ends it), seed (of the garbage).  A later key
 * overrides an earlier one of the same knob.
 */
static void openbsd_vmm_set_request(Object *obj, const char *value,
                                    Error **errp)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);
    g_auto(GStrv) words = g_strsplit_set(value, " \t,", -1);
    OpenBSDVmmKnobs kn = { 0 };
    int i;

    for (i = 0; words[i]; i++) {
        if (!*words[i] || !strcmp(words[i], "status")) {
            continue;
        }
        if (!openbsd_vmm_parse_knob(words[i], &kn, errp)) {
            return;
        }
    }
    openbsd_vmm_apply(s, &kn);
    g_free(s->last_request);
    s->last_request = g_strdup(value);
    qemu_sem_post(&s->wake);
}

/* Spurious interrupt storms */

/* One round: every line of the target, with nothing for the guest */
static void openbsd_vmm_storm_fire(OpenBSDVmmStorm *st)
{
    VirtIODevice *vdev;
    int i;

    if (object_dynamic_cast(st->target, TYPE_VMMCI)) {
        vmmci_spurious(st->target);
        st->fired++;
        return;
    }
    vdev = VIRTIO_DEVICE(st->target);
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (!virtio_queue_get_num(vdev, i) ||
            !virtio_queue_get_desc_addr(vdev, i)) {
            continue;
        }
        virtio_notify_spurious(virtio_get_queue(vdev, i));
        st->fired++;
    }
}

static void openbsd_vmm_storm_stop(OpenBSDVmmStorm *st)
{
    timer_free(st->timer);
    st->timer = NULL;
    object_unref(st->target);
    st->target = NULL;
    g_free(st->path);
    st->path = NULL;
}

static void openbsd_vmm_storm_tick(void *opaque)
{
    OpenBSDVmmStorm *st = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t next;

    if (now >= st->end_ns) {
        /* the counts stay for "pvclock status" until the next storm */
        timer_del(st->timer);
        return;
    }
    if (runstate_is_running()) {
        openbsd_vmm_storm_fire(st);
    }
    st->ticks++;
    /* on schedule where the main loop keeps up, as soon as it can if not */
    next = st->start_ns + (int64_t)(st->ticks * NANOSECONDS_PER_SECOND /
                                    st->rate);
    timer_mod(st->timer, MAX(next, now));
}

/*
 * "PATH RATE MSEC": spurious interrupts RATE times a second for MSEC ms on
 * the device at QOM path PATH: a vmmci (INTx with ISR 0) or a virtio
 * device or its PCI proxy (a queue interrupt on every live queue, nothing
 * used).  MSEC 0 ends a storm on PATH.
 */
static void openbsd_vmm_set_storm(Object *obj, const char *value,
                                  Error **errp)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);
    g_auto(GStrv) w = g_strsplit_set(value, " \t", -1);
    OpenBSDVmmStorm *st = NULL;
    Object *target, *backend;
    int64_t rate, ms;
    int i;

    if (g_strv_length(w) != 3 ||
        !openbsd_vmm_parse_int("rate", w[1], 1, 100000, &rate, errp) ||
        !openbsd_vmm_parse_int("msec", w[2], 0, 3600000, &ms, errp)) {
        if (errp && !*errp) {
            error_setg(errp, "openbsd-vmm: storm PATH RATE MSEC");
        }
        return;
    }
    target = object_resolve_path(w[0], NULL);
    if (target && !object_dynamic_cast(target, TYPE_VMMCI) &&
        !object_dynamic_cast(target, TYPE_VIRTIO_DEVICE)) {
        backend = object_resolve_path_component(target, "virtio-backend");
        target = backend;
    }
    if (!target || (!object_dynamic_cast(target, TYPE_VMMCI) &&
                    !object_dynamic_cast(target, TYPE_VIRTIO_DEVICE))) {
        error_setg(errp, "openbsd-vmm: %s is no vmmci or virtio device",
                   w[0]);
        return;
    }
    for (i = 0; i < OPENBSD_VMM_STORMS; i++) {
        if (s->storm[i].target == target) {
            openbsd_vmm_storm_stop(&s->storm[i]);
        }
    }
    if (!ms) {
        return;
    }
    for (i = 0; i < OPENBSD_VMM_STORMS && !st; i++) {
        if (!s->storm[i].target || !timer_pending(s->storm[i].timer)) {
            st = &s->storm[i];
        }
    }
    if (!st) {
        error_setg(errp, "openbsd-vmm: %d storms already running",
                   OPENBSD_VMM_STORMS);
        return;
    }
    if (st->target) {
        openbsd_vmm_storm_stop(st);
    }
    st->target = object_ref(target);
    st->path = g_strdup(w[0]);
    st->rate = rate;
    st->ticks = 0;
    st->fired = 0;
    st->start_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    st->end_ns = st->start_ns + ms * 1000000;
    st->timer = timer_new_ns(QEMU_CLOCK_REALTIME, openbsd_vmm_storm_tick, st);
    timer_mod(st->timer, st->start_ns);
}

static char *openbsd_vmm_get_storm(Object *obj, Error **errp)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);
    GString *str = g_string_new(NULL);
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int i;

    for (i = 0; i < OPENBSD_VMM_STORMS; i++) {
        OpenBSDVmmStorm *st = &s->storm[i];

        if (!st->target) {
            continue;
        }
        g_string_append_printf(str,
                               "storm %s rate=%u ticks=%" PRIu64
                               " fired=%" PRIu64 " elapsed_ms=%" PRId64
                               " left_ms=%" PRId64 "\n",
                               st->path, st->rate, st->ticks, st->fired,
                               (MIN(now, st->end_ns) - st->start_ns) /
                               1000000,
                               MAX(st->end_ns - now, 0) / 1000000);
    }
    return g_string_free(str, false);
}

static char *openbsd_vmm_get_request(Object *obj, Error **errp)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);

    return g_strdup(s->last_request ? s->last_request : "");
}

static char *openbsd_vmm_get_state(Object *obj, Error **errp)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);
    GString *str = g_string_new(NULL);
    int64_t stuck;
    int i;

    qemu_mutex_lock(&s->lock);
    stuck = openbsd_vmm_stuck(s) ? (s->stuck_until_ns - get_clock()) : 0;
    g_string_append_printf(str,
                           "tsc_hz=%" PRIu64 "\nmul=%u\ninterval=%u\n"
                           "stable=%d\nmul_ppm=%d\nstuck_ms=%" PRId64 "\n"
                           "stuck_odd=%d\n"
                           "wall_clock=%d\nwall_writes=%" PRIu64 "\n"
                           "gp=%" PRIu64 "\ntsc_rate=%" PRIu64 "\n"
                           "uptime_ns=%" PRId64 "\nhost_mono_ns=%" PRId64 "\n"
                           "clock_offset_ns=%" PRId64 "\n"
                           "hostile_ms=%" PRId64 "\n"
                           "hostile_values=%" PRIu64 "\n"
                           "end=%s\n",
                           s->tsc_hz, openbsd_vmm_mul(s), s->interval_us,
                           s->stable, s->mul_ppm, stuck / 1000000,
                           s->stuck_odd,
                           s->wall_clock, s->wall_writes, s->gp_injected,
                           openbsd_vmm_tsc_hz,
                           openbsd_vmm_uptime_at(openbsd_vmm_tsc()),
                           get_clock(),
                           openbsd_vmm_host_clock_offset_ns(),
                           openbsd_vmm_hostile(s) ?
                           (s->hostile_until_ns - get_clock()) / 1000000 : 0,
                           s->hostile_values,
                           openbsd_vmm_end_reason());
    for (i = 0; i < OPENBSD_VMM_MAX_VCPUS; i++) {
        OpenBSDVmmVcpu *v = &s->vcpu[i];

        if (!v->cpu) {
            continue;
        }
        g_string_append_printf(str,
                               "cpu%d gpa=0x%" PRIx64 " enabled=%d"
                               " updates=%" PRIu64 " version=%u"
                               " backsteps=%" PRIu64 " max_backstep_ns=%"
                               PRId64 "\n",
                               i, v->msr & ~(uint64_t)0xf, v->hva != NULL,
                               v->updates, v->last_version, v->backsteps,
                               v->max_backstep_ns);
    }
    qemu_mutex_unlock(&s->lock);
    return g_string_free(str, false);
}

static void openbsd_vmm_instance_init(Object *obj)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);

    qemu_mutex_init(&s->lock);
    qemu_sem_init(&s->wake, 0);
    s->interval_us = 1000;
    s->stable = true;
    s->wall_clock = true;
    /* the same garbage every run unless a seed says otherwise */
    s->rand = g_rand_new_with_seed(1);
}

static void openbsd_vmm_instance_finalize(Object *obj)
{
    OpenBSDVmmState *s = OPENBSD_VMM(obj);

    if (s->thread_started) {
        qemu_mutex_lock(&s->lock);
        s->quit = true;
        qemu_mutex_unlock(&s->lock);
        qemu_sem_post(&s->wake);
        qemu_thread_join(&s->thread);
    }
    qemu_sem_destroy(&s->wake);
    qemu_mutex_destroy(&s->lock);
    g_rand_free(s->rand);
    g_free(s->last_request);
}

static void openbsd_vmm_class_init(ObjectClass *oc, void *data)
{
    object_class_property_add_str(oc, "request", openbsd_vmm_get_request,
                                  openbsd_vmm_set_request);
    object_class_property_add_str(oc, "state", openbsd_vmm_get_state, NULL);
    object_class_property_add_str(oc, "storm", openbsd_vmm_get_storm,
                                  openbsd_vmm_set_storm);
}

static const TypeInfo openbsd_vmm_info = {
    .name = TYPE_OPENBSD_VMM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(OpenBSDVmmState),
    .instance_init = openbsd_vmm_instance_init,
    .instance_finalize = openbsd_vmm_instance_finalize,
    .class_init = openbsd_vmm_class_init,
};

static void openbsd_vmm_register_types(void)
{
    type_register_static(&openbsd_vmm_info);
}

type_init(openbsd_vmm_register_types)

/*
 * A rebooting guest starts with no page registered: the host must not keep
 * writing into memory the new kernel now uses for something else (vmd
 * starts a fresh vm process).
 */
static void openbsd_vmm_reset(void *opaque)
{
    OpenBSDVmmState *s = opaque;
    int i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < OPENBSD_VMM_MAX_VCPUS; i++) {
        s->vcpu[i].hva = NULL;
        s->vcpu[i].msr = 0;
    }
    qemu_mutex_unlock(&s->lock);
}

/*
 * Called (BQL held) when a CPU with openbsd-vmm=on or a vmmci device is
 * realized; creates OPENBSD_VMM_PATH once.
 */
void openbsd_vmm_setup(void)
{
    OpenBSDVmmState *s = openbsd_vmm_state;

    if (s) {
        return;
    }
    qemu_mutex_init(&openbsd_vmm_hlt_lock);
    s = OPENBSD_VMM(object_new(TYPE_OPENBSD_VMM));
    object_property_add_child(qdev_get_machine(), "openbsd-vmm", OBJECT(s));
    object_unref(OBJECT(s));
    openbsd_vmm_tsc_hz = openbsd_vmm_calibrate_tsc();
    /* starts near 0 at VM creation, as QEMU's own TSC does */
    openbsd_vmm_tsc_base_ns = get_clock();
    s->tsc_hz = openbsd_vmm_tsc_hz;
    s->shutdown_notifier.notify = openbsd_vmm_shutdown_notify;
    qemu_register_shutdown_notifier(&s->shutdown_notifier);
    qemu_register_reset(openbsd_vmm_reset, s);
    qemu_thread_create(&s->thread, "openbsd-vmm", openbsd_vmm_thread, s,
                       QEMU_THREAD_JOINABLE);
    s->thread_started = true;
    openbsd_vmm_state = s;
}
