/**
 * The composition root of a node: builds Vert.x (clustered or not), deploys every verticle from the
 * configuration, answers for this node (status, readiness) and stops it in order.
 */
package io.tickscan.node;
