/**
 * Pipelines: steps that run after one another, each taking outputs of the steps it needs ({@link
 * dev.rgrid.core.pipeline.Pipeline}), built on chained runs and found again through the labels of
 * their runs ({@link dev.rgrid.core.pipeline.Pipelines}); nothing else is stored for them.
 */
package dev.rgrid.core.pipeline;
