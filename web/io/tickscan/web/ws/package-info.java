/**
 * The alert websocket {@code GET /ws/alerts} (contract: {@code docs/web-api.md}): each web verticle instance
 * consumes the cluster-wide alerts, keeps a bounded history of them, and fans them out to its own clients in
 * coalesced frames, each client behind its own bounded queue so that a slow one never slows another or the event
 * loop. {@link io.tickscan.web.ws.AlertSockets} is the one entry point; the rest is package-private.
 */
package io.tickscan.web.ws;
