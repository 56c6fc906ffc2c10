/**
 * The tick sources (simulator, CSV file, HTTP), each a verticle that validates ticks, counts rejects by reason
 * and hands them to a {@link io.tickscan.routing.TickRouter}.
 */
package io.tickscan.ingest;
