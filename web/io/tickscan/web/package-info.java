/**
 * The node's HTTP side: REST API, metrics and health endpoints. Talks to the rest of the node over the event
 * bus only (codecs), never to the scanner's or the engine's classes.
 */
package io.tickscan.web;
