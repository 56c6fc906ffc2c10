/**
 * From symbols to partitions to scanner instances: the fixed partition hash, the balanced ownership table
 * and the router that batches ticks per partition with bounded buffers.
 */
package io.tickscan.routing;
