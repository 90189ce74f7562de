/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The generated handler prototypes (pci_server.h, from pci.protocol) for
 * the files that define handlers, so each definition is checked against
 * the protocol. The dispatch table in that header is used by server.c
 * alone; elsewhere it would be an unused static constant.
 */
#ifndef PCI_HANDLERS_H
#define PCI_HANDLERS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "pci_server.h"
#pragma GCC diagnostic pop

#endif /* PCI_HANDLERS_H */
