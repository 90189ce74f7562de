/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A model of the IOMMU server's device-ownership protocol (docs/iommu.md,
 * "The ownership model"), checked exhaustively with Spin
 * (tests/model/check.py).
 *
 * Processes: three clients on CPUs of their own, the IOMMU server's one
 * thread, the PCI server, the root task and the invalidation hardware.
 * Clients call the server at any time and may die at any time, also during
 * a call; the root task then tears the client down (a request still queued
 * on the endpoint is cancelled, one already in the server completes) and
 * signals the server, which asks NEXT_DEATH. The server handles each
 * request or event to completion and calls only the PCI server and the
 * root task, which call no one.
 *
 * The ledger is keyed by group. Moving a group (ATTACH to the caller's
 * domain; DETACH, or its owner's death, to quarantine) goes through the
 * steps of enum ledger_step (servers/iommu/core/ledger.h); a failure
 * before LEDGER_STEP_REVOKE changes nothing (LEDGER_ROLLBACK_RESTORED)
 * unless the move is a release, one at or after it (GRANT included) puts
 * the group in quarantine (LEDGER_ROLLBACK_QUARANTINED), and if that
 * invalidation's wait fails too the group is LEDGER_ROLLBACK_BROKEN.
 *
 * Hardware: one context entry per requester ID (group 0 has an alias), a
 * table per domain ID, and three caches: context cache, IOTLB, interrupt
 * entry cache. A device may DMA at any moment, and every DMA may load a
 * cache, so each cache is modelled as everything it may hold: every value
 * its entry had in memory since the entry was last invalidated. What a
 * group's DMA can reach is then a function of the state, and the monitor
 * checks it in every state: a DMA at any step is covered. Bus mastering
 * does not stop DMA here: requests already issued complete after Bus
 * Master Enable is cleared, and a faulty device may ignore it, so the
 * remapping must hold on its own. The hardware completes the invalidation
 * queue whenever it likes, also after the server's wait timed out, or,
 * when the wait timed out, may have dropped what was queued (a queue reset
 * after an invalidation time-out error).
 *
 * Variants (spin -D...): BROKEN_REUSE hands freed memory and domain IDs
 * out again at once instead of after the invalidation covering them
 * completed; BROKEN_EARLY_OWNER changes the ledger's owner before the
 * context entries are pointed and invalidated; BROKEN_CALL_BACK lets the
 * PCI server call the IOMMU server (calls going both ways: a deadlock).
 * All must fail.
 */

#ifndef CALLS
#define CALLS 3 /* calls by all clients together (docs/iommu.md: the bounds) */
#endif
#define NCLIENT    3 /* clients 1..3; 0 is nobody */
#ifndef CLIENTS
#define CLIENTS NCLIENT /* clients started */
#endif
#define NOBODY     0
#define NDID       2 /* domain IDs 1..2 for clients' domains */
#define QUARANTINE 0 /* domain ID 0: quarantine, an empty table */
#define NGROUP     2
#define NRID       3 /* group 0: requester IDs 0 and 1 (an alias); group 1: 2 */
#define ALL_RIDS   7
#define ALL_DIDS   7
#define ALL_GROUPS 3
#define ALL_FRAMES 3 /* two frames of lendable memory, one bit each */

#define BIT(n)        (1 << (n))
#define GROUP_RIDS(g) ((g) == 0 -> 3 : 4)
#define HAS_RESET(g)  ((g) == 0) /* group 1 has no reset method: RESET skipped */

mtype:request = { CREATE_DOMAIN, DESTROY_DOMAIN, ALLOC_BUFFER, FREE_BUFFER, ATTACH, DETACH };
mtype:reply = { WARD_OK, NO_DOMAIN, QUOTA, NO_MEMORY, BUSY, NO_BUFFER, ATTACHED, HARDWARE };
mtype:pci_op = { PCI_BUS_MASTER_OFF, PCI_REVOKE, PCI_RESET, PCI_OK, PCI_FAILED };
mtype:ledger_step = { LEDGER_STEP_IDLE, LEDGER_STEP_CHECK, LEDGER_STEP_BUS_MASTER_OFF,
	LEDGER_STEP_REVOKE, LEDGER_STEP_IRQ_TEARDOWN, LEDGER_STEP_POINT, LEDGER_STEP_INVALIDATE,
	LEDGER_STEP_RESET, LEDGER_STEP_GRANT };
mtype:ledger_result = { LEDGER_DONE, LEDGER_ROLLBACK_RESTORED, LEDGER_ROLLBACK_QUARANTINED,
	LEDGER_ROLLBACK_BROKEN };

/* Domain ID states. */
#define DID_FREE     0
#define DID_LIVE     1
#define DID_DEFERRED 2 /* freed; free again after the invalidation covering it completed */
#define DID_RETIRED  3 /* a broken group may still reach it: never reused */

/* --- the ledger (the server's) -------------------------------------------- */
byte owner[NGROUP];          /* a domain ID or QUARANTINE */
byte members[NDID + 1];      /* the groups (bits) of each domain and of quarantine */
bool broken[NGROUP];
byte broken_clients[NGROUP]; /* clients (bits) whose memory a broken group may still reach */
byte moving_client[NGROUP];  /* during a move: the client the group goes to */
mtype:ledger_step ledger_step = LEDGER_STEP_IDLE;

/* --- domains, lent memory, the deferred-free queue (the server's) --------- */
byte did_state[NDID + 1];
byte did_client[NDID + 1];
bool did_retire[NDID + 1];
byte client_did[NCLIENT + 1];
byte lent[NCLIENT + 1]; /* frames (bits) lent to each client: one buffer, in its domain */
byte deferred_frames;   /* freed; reused after the invalidation covering them completed */
bool poisoned;          /* a wait failed: flushes are global until one completes */

/* --- the hardware ----------------------------------------------------------- */
byte table[NDID + 1];    /* frames each domain ID's table maps */
byte context[NRID];      /* context entries in memory: a domain ID */
byte context_cache[NRID];/* domain IDs (bits) the context cache may still hold besides */
byte iotlb[NDID + 1];    /* frames the IOTLB may still hold for each domain ID besides */
byte irte[NGROUP];       /* interrupt remapping entries: the client reached */
byte iec[NGROUP];        /* clients (bits) the interrupt entry cache may still hold besides */
byte queued_context, queued_iotlb, queued_iec; /* invalidation descriptors queued */
bool wait_queued, wait_done; /* the wait descriptor and its status word */

/* --- the PCI server ----------------------------------------------------------- */
byte device_cap[NGROUP]; /* the client holding the device cap and BAR frames */
chan pci_call = [0] of { mtype:pci_op, byte };
chan pci_reply = [0] of { mtype:pci_op };
chan server_call = [0] of { bit }; /* no one receives: calls never go back to the server */

/* --- clients and the root task ------------------------------------------------- */
bool alive[NCLIENT + 1];
byte calls;        /* calls the clients made */
byte deaths;       /* torn down, not yet handed out by NEXT_DEATH */
bool death_signal; /* the notification bound to the server's thread */
chan root_call = [0] of { bit };
chan root_reply = [0] of { byte };
bool server_idle = 1; /* the server is in Recv: between requests */

/* --- the properties ------------------------------------------------------------- */
#define CLIENT_OF(d) did_client[d]
#define DID_REACH(d) (iotlb[d] | table[d])
#define RID_REACH(r) \
	((context_cache[r] & BIT(0) -> DID_REACH(0) : 0) | \
	 (context_cache[r] & BIT(1) -> DID_REACH(1) : 0) | \
	 (context_cache[r] & BIT(2) -> DID_REACH(2) : 0) | DID_REACH(context[r]))
#define GROUP_REACH(g) ((g) == 0 -> (RID_REACH(0) | RID_REACH(1)) : RID_REACH(2))
#define BROKEN_LENT(g) \
	((broken_clients[g] & BIT(1) -> lent[1] : 0) | (broken_clients[g] & BIT(2) -> lent[2] : 0) | \
	 (broken_clients[g] & BIT(3) -> lent[3] : 0))
#define DMA_MAY_REACH(g) \
	(deferred_frames | lent[CLIENT_OF(owner[g])] | lent[moving_client[g]] | BROKEN_LENT(g))
/*
 * A group's DMA lands only in its owner's memory, in the memory of the
 * client it is being moved to (during the move), in memory freed but not
 * reused yet, or, once broken, in memory of the clients it moved between.
 */
#define DMA_OWNER_OK(g) ((GROUP_REACH(g) & ~DMA_MAY_REACH(g)) == 0)
/* A translation through a domain ID reaches only memory of that domain's owner. */
#define DMA_DOMAIN_OK(d) ((DID_REACH(d) & ~(deferred_frames | lent[CLIENT_OF(d)])) == 0)
#define IRQ_MAY_REACH(g) \
	(BIT(NOBODY) | BIT(CLIENT_OF(owner[g])) | BIT(moving_client[g]) | broken_clients[g])
/* A group's interrupts reach only clients its DMA may reach. */
#define IRQ_OK(g) (((iec[g] | BIT(irte[g])) & ~IRQ_MAY_REACH(g)) == 0)
/* Owned exactly once, by quarantine or a live domain: the owner field and the lists agree. */
#define IN_LIST(d, g) ((members[d] >> (g)) & 1)
#define LEDGER_OK(g) \
	((owner[g] == QUARANTINE || did_state[owner[g]] == DID_LIVE) && IN_LIST(owner[g], g) && \
	 IN_LIST(0, g) + IN_LIST(1, g) + IN_LIST(2, g) == 1)
/* Between requests every requester ID of a group points at its owner in memory. */
#define CONTEXT_OK(g) \
	((g) == 0 -> (context[0] == owner[0] && context[1] == owner[0]) : context[2] == owner[1])
/* A device cap (and BAR frames) of a group is held by its owner only; none in quarantine. */
#define DEVICE_CAP_OK(g) \
	(device_cap[g] == NOBODY || (owner[g] != QUARANTINE && device_cap[g] == CLIENT_OF(owner[g])))

#define ALL_OK \
	(LEDGER_OK(0) && LEDGER_OK(1) && DMA_OWNER_OK(0) && DMA_OWNER_OK(1) && DMA_DOMAIN_OK(0) && \
	 DMA_DOMAIN_OK(1) && DMA_DOMAIN_OK(2) && IRQ_OK(0) && IRQ_OK(1) && DEVICE_CAP_OK(0) && \
	 DEVICE_CAP_OK(1) && (!server_idle || (CONTEXT_OK(0) && CONTEXT_OK(1))))

/*
 * Waits until a property fails in some state, then names it (Spin prints
 * the failed assertion). Its waiting point is a valid end state, so a
 * stuck system is still reported as one.
 */
proctype monitor()
{
	bool ledger_ok, dma_owner_ok, dma_domain_ok, irq_ok, device_cap_ok, context_ok;

end_watch:
	atomic {
		!ALL_OK ->
		ledger_ok = LEDGER_OK(0) && LEDGER_OK(1);
		dma_owner_ok = DMA_OWNER_OK(0) && DMA_OWNER_OK(1);
		dma_domain_ok = DMA_DOMAIN_OK(0) && DMA_DOMAIN_OK(1) && DMA_DOMAIN_OK(2);
		irq_ok = IRQ_OK(0) && IRQ_OK(1);
		device_cap_ok = DEVICE_CAP_OK(0) && DEVICE_CAP_OK(1);
		context_ok = !server_idle || (CONTEXT_OK(0) && CONTEXT_OK(1));
		assert(ledger_ok);
		assert(dma_owner_ok);
		assert(dma_domain_ok);
		assert(irq_ok);
		assert(device_cap_ok);
		assert(context_ok)
	}
}

/* --- the invalidation hardware ---------------------------------------------- */

/*
 * Completes everything queued, in one step, whenever it likes: an
 * invalidated cache then holds nothing but what memory holds.
 */
proctype invalidation_hw()
{
	byte i;

end_idle:
	do
	:: d_step {
		(queued_context | queued_iotlb | queued_iec) != 0 || wait_queued ->
		for (i : 0 .. NRID - 1) {
			if
			:: queued_context & BIT(i) -> context_cache[i] = 0
			:: else
			fi
		}
		for (i : 0 .. NDID) {
			if
			:: queued_iotlb & BIT(i) -> iotlb[i] = 0
			:: else
			fi
		}
		for (i : 0 .. NGROUP - 1) {
			if
			:: queued_iec & BIT(i) -> iec[i] = 0
			:: else
			fi
		}
		queued_context = 0;
		queued_iotlb = 0;
		queued_iec = 0;
		if
		:: wait_queued -> wait_done = 1; wait_queued = 0
		:: else
		fi;
		i = 0
	}
	od
}

/* --- the PCI server -------------------------------------------------------------- */

/* Answers the IOMMU server; every step may fail (refused, not revoked, reset timed out). */
proctype pci_server()
{
	mtype:pci_op op, answer;
	byte g;

end_recv:
	do
	:: atomic {
		pci_call ? op, g ->
		if
		:: op == PCI_REVOKE -> device_cap[g] = NOBODY; answer = PCI_OK
		:: op != PCI_REVOKE -> answer = PCI_OK
		:: answer = PCI_FAILED
		fi;
		op = 0;
		g = 0;
#ifdef BROKEN_CALL_BACK
		server_call ! 1; /* calls the IOMMU server, which is waiting for this reply */
#endif
		pci_reply ! answer;
		answer = 0
	}
	od
}

/* --- the root task ---------------------------------------------------------------- */

/* Answers NEXT_DEATH with one dead client, or 0 when none is left (teardown: client()). */
proctype root_task()
{
	byte c;

end_recv:
	do
	:: atomic {
		root_call ? 1 ->
		if
		:: deaths & BIT(1) -> c = 1
		:: else -> if
			:: deaths & BIT(2) -> c = 2
			:: else -> if
				:: deaths & BIT(3) -> c = 3
				:: else -> c = 0
				fi
			fi
		fi;
		deaths = deaths & ~BIT(c);
		root_reply ! c;
		c = 0
	}
	od
}

/* --- clients -------------------------------------------------------------------- */

/*
 * A client on a CPU of its own. Its calls are the server's to take (the
 * endpoint holds them; server() takes one from any live client with calls
 * left and chooses there what it asks: nothing observes a queued call
 * before). What it does on its own is die, at any moment, also during a
 * call: the root task's teardown follows in the same step (its queued call
 * cancelled, its caps revoked, the server's notification signalled);
 * nothing between the two observes the difference. The server reads what
 * a death changes only between requests, so a death during a request is
 * the same to it as one just after: deaths are taken while it is in Recv.
 */
proctype client(byte c)
{
end_alive:
	atomic {
		server_idle ->
		alive[c] = 0;
		deaths = deaths | BIT(c);
		death_signal = 1
	}
}

/* --- the IOMMU server ---------------------------------------------------- */

/*
 * Invalidation waits, in three parts so that the hardware's completion
 * can come before or after the server's time-out: queue the wait (behind
 * everything queued; a global flush while the deferred-free queue is
 * poisoned), then see the status word written or time out, then release.
 */
inline inv_queue_wait()
{
	if
	:: poisoned -> queued_context = ALL_RIDS; queued_iotlb = ALL_DIDS; queued_iec = ALL_GROUPS
	:: else
	fi;
	wait_done = 0;
	wait_queued = 1
}

inline inv_outcome(ok)
{
	if
	:: wait_done -> ok = 1
	:: !wait_done -> /* timed out; the queue may be reset: what it held is lost */
		ok = 0;
		if
		:: skip
		:: queued_context = 0; queued_iotlb = 0; queued_iec = 0; wait_queued = 0
		fi
	fi
}

/*
 * A completed wait releases every deferred frame and domain ID (this
 * request's, or after a failed wait everything, the flush being global);
 * a failed one poisons the queue: flushes are global until one completes.
 */
inline inv_release(ok)
{
	if
	:: ok ->
		deferred_frames = 0;
		for (i : 1 .. NDID) {
			if
			:: did_state[i] == DID_DEFERRED -> did_state[i] = DID_FREE
			:: else
			fi
		}
		i = 0;
		if
		:: poisoned -> poisoned = 0;
			for (i : 0 .. NGROUP - 1) { broken_clients[i] = 0 }
			i = 0
		:: else
		fi
	:: else -> poisoned = 1
	fi;
	wait_done = 0
}

inline pci_invoke(pci_request, pci_arg, pci_answer)
{
	atomic {
		pci_call ! pci_request, pci_arg;
		pci_reply ? pci_answer
	}
}

/*
 * Points every requester ID of group g at domain ID d and queues their
 * context-cache invalidations; until they complete the cache may still
 * hold the old entry.
 */
inline point_group(g, d)
{
	for (i : 0 .. NRID - 1) {
		if
		:: (GROUP_RIDS(g) & BIT(i)) && context[i] != d ->
			context_cache[i] = context_cache[i] | BIT(context[i]);
			context[i] = d
		:: else
		fi
	}
	i = 0;
	queued_context = queued_context | GROUP_RIDS(g)
}

/* The interrupt entry cache may still hold the old entry until invalidated. */
inline route_irq(g, c)
{
	iec[g] = iec[g] | BIT(irte[g]);
	irte[g] = c
}

inline ledger_move(g, d)
{
	members[owner[g]] = members[owner[g]] & ~BIT(g);
	members[d] = members[d] | BIT(g);
	owner[g] = d
}

/*
 * Moves group g from its owner to domain ID `to` (QUARANTINE: release);
 * the caller's LEDGER_STEP_CHECK passed. Sets result. Steps that change no
 * hardware state are one atomic step; the hardware may complete queued
 * invalidations between any two. Expanded in three places, so it has no
 * labels: ok carries "no step failed" down the steps.
 */
inline reassign(g, to, result)
{
	atomic {
		result = 0;
		from = owner[g];
		moving_client[g] = CLIENT_OF(to);
		ledger_step = LEDGER_STEP_BUS_MASTER_OFF;
		pci_invoke(PCI_BUS_MASTER_OFF, g, pci_result);
		if
		:: pci_result != PCI_OK && to != QUARANTINE -> result = LEDGER_ROLLBACK_RESTORED
		:: pci_result != PCI_OK && to == QUARANTINE /* a release goes on, to quarantine */
		:: else ->
			ledger_step = LEDGER_STEP_REVOKE;
			pci_invoke(PCI_REVOKE, g, pci_result);
			if
			:: pci_result == PCI_OK ->
				ledger_step = LEDGER_STEP_IRQ_TEARDOWN;
#ifdef BROKEN_EARLY_OWNER
				ledger_move(g, to);
#endif
				route_irq(g, NOBODY);
				queued_iec = queued_iec | BIT(g);
				ledger_step = LEDGER_STEP_POINT;
				point_group(g, to);
				ledger_step = LEDGER_STEP_INVALIDATE;
				queued_iotlb = queued_iotlb | BIT(from) & ~BIT(QUARANTINE);
				inv_queue_wait()
			:: else
			fi
		fi
	}
	if
	:: result == LEDGER_ROLLBACK_RESTORED
	:: else ->
		if
		:: ledger_step == LEDGER_STEP_INVALIDATE -> inv_outcome(ok)
		:: else -> ok = 0 /* REVOKE failed */
		fi;
		atomic {
			if
			:: ledger_step == LEDGER_STEP_INVALIDATE -> inv_release(ok)
			:: else
			fi;
			if
			:: ok && HAS_RESET(g) ->
				ledger_step = LEDGER_STEP_RESET;
				pci_invoke(PCI_RESET, g, pci_result);
				ok = (pci_result == PCI_OK)
			:: else
			fi;
			if
			:: ok ->
				ledger_step = LEDGER_STEP_GRANT;
				if
				:: ledger_move(g, to);
					device_cap[g] = CLIENT_OF(to);
					route_irq(g, CLIENT_OF(to)); /* the owner's MSIs at once: the worst case */
					result = LEDGER_DONE
				:: ok = 0 /* minting the device cap failed */
				fi
			:: else
			fi;
			if
			:: !ok -> /* to quarantine: the device cap revoked again (the server's own) */
				device_cap[g] = NOBODY;
				route_irq(g, NOBODY);
				queued_iec = queued_iec | BIT(g);
				point_group(g, QUARANTINE);
				queued_iotlb = queued_iotlb | (BIT(from) | BIT(to)) & ~BIT(QUARANTINE);
				inv_queue_wait()
			:: else
			fi
		}
		if
		:: result == LEDGER_DONE
		:: else ->
			inv_outcome(ok);
			d_step {
				inv_release(ok);
				ledger_move(g, QUARANTINE);
				if
				:: ok -> result = LEDGER_ROLLBACK_QUARANTINED
				:: else ->
					result = LEDGER_ROLLBACK_BROKEN;
					broken[g] = 1;
					broken_clients[g] =
					        broken_clients[g] | BIT(CLIENT_OF(from)) | BIT(CLIENT_OF(to));
					did_retire[from] = (from != QUARANTINE);
					did_retire[to] = (to != QUARANTINE)
				fi
			}
		fi
	fi;
	d_step {
		moving_client[g] = NOBODY;
		ledger_step = LEDGER_STEP_IDLE;
		from = 0;
		ok = 0;
		pci_result = 0
	}
}

/* Unmaps and frees client c's buffer; the memory waits in the deferred-free queue. */
inline buffer_free(c)
{
	d_step {
		d = client_did[c];
		table[d] = table[d] & ~lent[c];
		iotlb[d] = iotlb[d] | lent[c];
#ifndef BROKEN_REUSE
		deferred_frames = deferred_frames | lent[c];
#endif
		lent[c] = 0;
		queued_iotlb = queued_iotlb | BIT(d);
		d = 0;
		inv_queue_wait()
	}
	inv_outcome(ok);
	d_step { inv_release(ok) }
}

/* Destroys domain ID d (no groups, no buffers); the ID waits, or is retired. */
inline domain_destroy(d)
{
	d_step {
		client_did[did_client[d]] = 0;
		did_client[d] = NOBODY;
		if
		:: did_retire[d] -> did_state[d] = DID_RETIRED
#ifdef BROKEN_REUSE
		:: else -> did_state[d] = DID_FREE
#else
		:: else -> did_state[d] = DID_DEFERRED
#endif
		fi;
		queued_iotlb = queued_iotlb | BIT(d);
		inv_queue_wait()
	}
	inv_outcome(ok);
	d_step { inv_release(ok) }
}

/* Nothing a device or a cache can reach may be handed out again. */
inline check_frame_reuse(f)
{
	frame_unused_by_hardware =
	        ((iotlb[0] | iotlb[1] | iotlb[2] | table[0] | table[1] | table[2]) & f) == 0;
	assert(frame_unused_by_hardware)
}

inline check_did_reuse(d)
{
	did_unused_by_hardware = iotlb[d] == 0 && table[d] == 0 && context[0] != d &&
	                         context[1] != d && context[2] != d &&
	                         ((context_cache[0] | context_cache[1] | context_cache[2]) & BIT(d)) == 0;
	assert(did_unused_by_hardware)
}

inline serve_request()
{
	if
	:: op == CREATE_DOMAIN ->
		d_step {
			if
			:: client_did[c] != 0 -> err = QUOTA
			:: else ->
				if
				:: did_state[1] == DID_FREE -> d = 1
				:: else -> if
					:: did_state[2] == DID_FREE -> d = 2
					:: else -> d = 0
					fi
				fi;
				if
				:: d == 0 -> err = NO_MEMORY
				:: else ->
					check_did_reuse(d);
					did_state[d] = DID_LIVE;
					did_client[d] = c;
					did_retire[d] = 0;
					client_did[c] = d;
					err = WARD_OK
				fi
			fi;
			d = 0
		}
	:: op == DESTROY_DOMAIN ->
		d = client_did[c];
		if
		:: d == 0 -> err = NO_DOMAIN
		:: d != 0 && (members[d] != 0 || lent[c] != 0) -> err = BUSY
		:: else ->
			domain_destroy(d);
			err = (ok -> WARD_OK : HARDWARE)
		fi;
		d = 0
	:: op == ALLOC_BUFFER ->
		d_step {
			d = client_did[c];
			f = ALL_FRAMES & ~(lent[1] | lent[2] | lent[3] | deferred_frames);
			if
			:: d == 0 -> err = NO_DOMAIN
			:: d != 0 && lent[c] != 0 -> err = QUOTA
			:: d != 0 && lent[c] == 0 && f == 0 -> err = NO_MEMORY
			:: else ->
				f = (f & BIT(0) -> BIT(0) : BIT(1));
				check_frame_reuse(f);
				lent[c] = f;
				table[d] = table[d] | f; /* not-present to present: no invalidation */
				err = WARD_OK
			fi;
			d = 0;
			f = 0
		}
	:: op == FREE_BUFFER ->
		if
		:: lent[c] == 0 -> err = NO_BUFFER
		:: else ->
			buffer_free(c);
			err = (ok -> WARD_OK : HARDWARE)
		fi
	:: op == ATTACH ->
		ledger_step = LEDGER_STEP_CHECK;
		g = arg;
		d = client_did[c];
		if
		:: d == 0 -> err = NO_DOMAIN
		:: d != 0 && owner[g] == d -> err = ATTACHED
		:: d != 0 && owner[g] != d && broken[g] -> err = HARDWARE
		:: else ->
			reassign(g, d, result);
			err = (result == LEDGER_DONE -> WARD_OK : HARDWARE)
		fi;
		ledger_step = LEDGER_STEP_IDLE
	:: op == DETACH ->
		ledger_step = LEDGER_STEP_CHECK;
		g = arg;
		if
		:: owner[g] == QUARANTINE || CLIENT_OF(owner[g]) != c -> err = ATTACHED
		:: else ->
			reassign(g, QUARANTINE, result);
			err = (result == LEDGER_DONE -> WARD_OK : HARDWARE)
		fi;
		ledger_step = LEDGER_STEP_IDLE
	fi
}

/*
 * A client's death: its groups to quarantine through the same steps (a
 * release never stays: a failure goes on to quarantine), then its buffer
 * (after that invalidation completed and the resets are done), then its
 * domain. Afterwards the dead client owns nothing.
 */
inline client_gone(c)
{
	for (g : 0 .. NGROUP - 1) {
		if
		:: owner[g] != QUARANTINE && CLIENT_OF(owner[g]) == c -> reassign(g, QUARANTINE, result)
		:: else
		fi
	}
	g = 0;
	result = 0;
	if
	:: lent[c] != 0 -> buffer_free(c)
	:: else
	fi;
	d = client_did[c];
	if
	:: d != 0 && members[d] == 0 -> domain_destroy(d)
	:: else
	fi;
	d = 0;
	ok = 0;
	dead_owns_nothing = lent[c] == 0 && client_did[c] == 0;
	assert(dead_owns_nothing)
}

proctype server()
{
	byte c, d, f, g, i, arg, from;
	mtype:request op;
	mtype:reply err;
	mtype:pci_op pci_result;
	mtype:ledger_result result;
	bool ok, frame_unused_by_hardware, did_unused_by_hardware, dead_owns_nothing;

end_recv:
	do
	:: atomic {
		if
		:: calls < CALLS && alive[1] -> c = 1
		:: calls < CALLS && alive[2] -> c = 2
		:: calls < CALLS && alive[3] -> c = 3
		fi;
		calls++;
		server_idle = 0;
		if
		:: client_did[c] == 0 -> op = CREATE_DOMAIN
		:: client_did[c] != 0 -> op = DESTROY_DOMAIN
		:: client_did[c] != 0 && lent[c] == 0 -> op = ALLOC_BUFFER
		:: lent[c] != 0 -> op = FREE_BUFFER
		:: client_did[c] != 0 && owner[0] != client_did[c] && !broken[0] -> op = ATTACH; arg = 0
		:: client_did[c] != 0 && owner[1] != client_did[c] && !broken[1] -> op = ATTACH; arg = 1
		:: owner[0] != QUARANTINE && CLIENT_OF(owner[0]) == c -> op = DETACH; arg = 0
		:: owner[1] != QUARANTINE && CLIENT_OF(owner[1]) == c -> op = DETACH; arg = 1
		fi
	}
		serve_request();
		d_step {
			server_idle = 1; /* the reply (lost if the client died meanwhile) */
			c = 0;
			op = 0;
			arg = 0;
			err = 0;
			g = 0;
			result = 0;
			ok = 0
		}
	:: atomic { death_signal -> death_signal = 0; server_idle = 0 }
		do
		:: atomic {
			root_call ! 1;
			root_reply ? c
		}
			if
			:: c == 0 -> break
			:: else -> client_gone(c)
			fi
		od;
		server_idle = 1
	od
}

init
{
	atomic {
		byte k;
		for (k : 1 .. CLIENTS) { alive[k] = 1 }
		/* Every group starts in quarantine, its entries pointing there, nothing cached. */
		members[QUARANTINE] = ALL_GROUPS;
		did_state[QUARANTINE] = DID_LIVE;
		k = 0;
		run monitor();
		run invalidation_hw();
		run pci_server();
		run root_task();
		run server();
		for (k : 1 .. CLIENTS) { run client(k) }
		k = 0
	}
}
