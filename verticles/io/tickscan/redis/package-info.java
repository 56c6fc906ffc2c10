/**
 * Redis, when {@code redis.url} is set: the client a node shares between its components, the keys tickscan
 * keeps there, and the health entry that says whether Redis answers.
 */
package io.tickscan.redis;
