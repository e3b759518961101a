'use strict';
// cluster.js: the anchor's entry point. WORKERS processes of app.js share
// one port through node:cluster, the way pm2's cluster mode runs a Node
// app with one process per core (default 1: app.js alone).
const cluster = require('node:cluster');

const WORKERS = Number(process.env.WORKERS || 1);
if (cluster.isPrimary && WORKERS > 1) {
  let stopping = false;
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  cluster.on('exit', (w, code) => {
    if (!stopping) console.error('worker ' + w.process.pid + ' exited with status ' + code);
    if (Object.keys(cluster.workers).length === 0) process.exit(stopping ? 0 : 1);
  });
  process.on('SIGTERM', () => {
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
  });
} else {
  require('./app.js');
}
