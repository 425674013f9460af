/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The write/poll/interrupt protocol of a virtio-console port, reduced to
 * what decides whether a sleeping writer is ever woken.
 *
 *   spin -a vcon_wakeup.pml            the in-tree design (6.1):
 *                                      poll reclaims, out_intr only wakes
 *   spin -DFIXED -a vcon_wakeup.pml    ours: out_intr wakes, and reclaims
 *                                      when the queue is full; poll only
 *                                      reads; every other reclaim wakes
 *                                      if it freed a slot
 *
 * Writers send WRITES buffers each and then end; the poller polls POLLS
 * times and ends; host and interrupt processes may stop at their end:
 * labels. A writer asleep forever is therefore an invalid end state, which
 * spin reports as an error: a lost wakeup (or any other deadlock).
 *
 * Virtio facts the model keeps: the host moves a buffer from "in flight"
 * to "used" and raises the interrupt, but with EVENT_IDX only for the
 * first buffer used since the driver last took a used buffer (the driver
 * publishes used_event = last_used_idx in virtqueue_get_buf()); a reclaim
 * that freed something re-arms it. vring_interrupt() calls the queue
 * callback only if used buffers are still there when it runs (otherwise
 * IRQ_NONE); a reclaim moves used buffers back to free slots and clears
 * outvq_full; wait_event() registers, checks the condition, and sleeps
 * until a wake_up() that comes after the registration.
 */

/* Sizes; spin -DSLOTS=3 ... for a bigger check (host.list stress:). */
#ifndef SLOTS
#define SLOTS	2
#endif
#ifndef WRITERS
#define WRITERS	2
#endif
#ifndef WRITES
#define WRITES	3
#endif
#ifndef POLLS
#define POLLS	3
#endif

byte free_slots = SLOTS;	/* descriptors we may add to */
byte inflight = 0;		/* added, not yet used by the host */
byte used = 0;			/* used by the host, not yet reclaimed */
bool vq_full = false;		/* port->outvq_full */
bool irq_pending = false;
bool armed = true;		/* EVENT_IDX: the next use interrupts */
bool asleep[WRITERS];		/* in wait_event(), not woken yet */
byte finished = 0;		/* writers that sent all their buffers */

/* Free the used buffers; the amount freed lands in @freed. */
inline reclaim(freed)
{
	freed = used;
	free_slots = free_slots + used;
	used = 0;
	if
	:: freed > 0 -> vq_full = false; armed = true
	:: else -> skip
	fi
}

/* wake_up_interruptible(): every non-exclusive sleeper. */
inline wake_all()
{
	byte w = 0;
	do
	:: w < WRITERS -> asleep[w] = false; w++
	:: else -> break
	od
}

proctype writer(byte me)
{
	byte n = 0, freed = 0;
	bool sent;

	do
	:: n < WRITES ->
wait:
		/* wait_port_writable(): the condition, then sleep or not */
		atomic {
#ifdef FIXED
			/* will_write_block only reads outvq_full */
			if
			:: vq_full -> asleep[me] = true
			:: else -> skip
			fi
#else
			/* will_write_block reclaims and never wakes */
			reclaim(freed);
			if
			:: vq_full -> asleep[me] = true
			:: else -> skip
			fi
#endif
		}
		if
		:: asleep[me] -> (!asleep[me]); goto wait
		:: else -> skip
		fi
		/* send: lock, reclaim, add, kick, unlock */
		atomic {
			reclaim(freed);
			if
			:: free_slots > 0 ->
				free_slots--; inflight++; sent = true;
				if
				:: free_slots == 0 -> vq_full = true
				:: else -> skip
				fi
			:: else -> vq_full = true; sent = false
			fi
		}
#ifdef FIXED
		/* whoever frees slots wakes, after unlocking */
		if
		:: freed > 0 -> wake_all()
		:: else -> skip
		fi
#endif
		if
		:: sent -> n++
		:: else -> goto wait
		fi
	:: else -> break
	od;
	finished++
}

/* Another task polling the same file. */
active proctype poller()
{
	byte p = 0, freed = 0;

	do
	:: p < POLLS ->
#ifdef FIXED
		/* poll() reads outvq_full under the lock: no side effect */
		skip;
#else
		/* poll() -> will_write_block(): reclaims, wakes nobody */
		atomic { reclaim(freed) };
#endif
		p++
	:: else -> break
	od
}

/* The device: uses in-flight buffers in any order and interrupts. */
active proctype host()
{
end:
	do
	:: atomic {
		inflight > 0 -> inflight--; used++;
		if
		:: armed -> irq_pending = true; armed = false
		:: else -> skip
		fi
	   }
	od
}

/* vring_interrupt() and the out-vq callback. */
active proctype irq()
{
	bool cb = false;
	byte freed = 0;
end:
	do
	:: atomic {
		irq_pending -> irq_pending = false;
		cb = (used > 0)	/* more_used(), else IRQ_NONE */
	   };
		if
		:: cb ->
#ifdef FIXED
			/* out_intr reclaims if a writer may wait for a slot */
			atomic {
				if
				:: vq_full -> reclaim(freed)
				:: else -> skip
				fi
			};
#endif
			wake_all();
			cb = false
		:: else -> skip
		fi
	od
}

init
{
	byte i = 0;

	atomic {
		do
		:: i < WRITERS -> run writer(i); i++
		:: else -> break
		od
	}
}
