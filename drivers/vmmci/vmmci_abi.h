/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmd(8) "VMM Control" device (vmmci) as the host emulates it: a
 * virtio 0.9 legacy register block in I/O BAR 0, no virtqueues, no MSI.
 * Names follow OpenBSD's virtio.h, virtio_pcireg.h and sys/dev/pv/vmmci.c;
 * see Documentation/vmmci.md and Documentation/host-interface.md for the
 * host behaviour behind each rule.
 *
 * Access rules the host imposes (it ignores the access size and puts the
 * whole EAX into the register):
 *  - COMMAND, features and the TIME words: 32-bit accesses only. A narrow
 *    write to COMMAND acks with stale high bits and the ack is lost.
 *  - DEVICE_STATUS and ISR: 8-bit.
 *  - Never string/REP I/O on any port: vmd kills the VM.
 *  - Read TIME_SEC (which takes the host snapshot) before TIME_USEC.
 *
 * This header is also compiled by userspace (the selftests), so it uses
 * plain constants only. The host model does not include it: it is written
 * from the host's side on its own, so the two can catch each other out.
 */
#ifndef VMMCI_ABI_H
#define VMMCI_ABI_H

/* PCI identity (OpenBSD pcidevs names). */
#define PCI_VENDOR_OPENBSD		0x0b5d
#define PCI_PRODUCT_OPENBSD_CONTROL	0x0777
#define PCI_PRODUCT_VIRTIO_VMMCI	0xffff	/* subsystem device */
#define VMMCI_PCI_REVISION		0	/* legacy (0.9) layout */

/* BAR 0: I/O space, 0x1000 bytes; the registers below fit in 40. */
#define VMMCI_BAR			0
#define VMMCI_REGS_SIZE			40

/* Legacy virtio header (offsets from BAR 0). */
#define VIRTIO_CONFIG_DEVICE_FEATURES	0	/* 32, read-only */
#define VIRTIO_CONFIG_GUEST_FEATURES	4	/* 32 */
#define VIRTIO_CONFIG_QUEUE_ADDRESS	8	/* 32, unused */
#define VIRTIO_CONFIG_QUEUE_SIZE	12	/* 16, reads 0 */
#define VIRTIO_CONFIG_QUEUE_SELECT	14	/* 16, unused */
#define VIRTIO_CONFIG_QUEUE_NOTIFY	16	/* 16, unused */
#define VIRTIO_CONFIG_DEVICE_STATUS	18	/* 8 */
#define VIRTIO_CONFIG_ISR_STATUS	19	/* 8, read clears */
#define VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI 20

/* Device config (offsets from BAR 0). */
#define VMMCI_CONFIG_COMMAND		(VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI + 0)
#define VMMCI_CONFIG_TIME_SEC		(VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI + 4)
#define VMMCI_CONFIG_TIME_SEC_HI	(VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI + 8)
#define VMMCI_CONFIG_TIME_USEC		(VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI + 12)
#define VMMCI_CONFIG_TIME_USEC_HI	(VIRTIO_CONFIG_DEVICE_CONFIG_NOMSI + 16)

/* DEVICE_STATUS bits (only DRIVER_OK is consulted by the host). */
#define VIRTIO_CONFIG_DEVICE_STATUS_RESET	0x00
#define VIRTIO_CONFIG_DEVICE_STATUS_ACK		0x01
#define VIRTIO_CONFIG_DEVICE_STATUS_DRIVER	0x02
#define VIRTIO_CONFIG_DEVICE_STATUS_DRIVER_OK	0x04
#define VIRTIO_CONFIG_DEVICE_STATUS_FAILED	0x80

/* ISR bits: the host only ever raises CONFIG_CHANGE for a new command. */
#define VIRTIO_CONFIG_ISR_QUEUE_INTERRUPT	0x01
#define VIRTIO_CONFIG_ISR_CONFIG_CHANGE		0x02

/* Feature bits offered by the host (DEVICE_FEATURES reads 0x7). */
#define VMMCI_F_TIMESYNC		0x1U
#define VMMCI_F_ACK			0x2U
#define VMMCI_F_SYNCRTC			0x4U

/* Commands (virtio.h enum vmmci_cmd). */
#define VMMCI_NONE			0
#define VMMCI_SHUTDOWN			1
#define VMMCI_REBOOT			2
#define VMMCI_SYNCRTC			3

/* Host timers, for documentation and tests (virtio.h). */
#define VMMCI_TIMEOUT_SHORT_SEC		3	/* ack window */
#define VMMCI_TIMEOUT_LONG_SEC		120	/* after an ack (30 before 2023) */

#endif /* VMMCI_ABI_H */
