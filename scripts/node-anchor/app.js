'use strict';
// app.js: the anchor of `make bench`'s submit section — the start and the
// submit of an attempt (API.md: POST /api/v1/attempts, POST
// /api/v1/attempts/{id}/submit) written the way a typical Node team would:
// Express, a mysql2 promise pool, ioredis; per request one transaction that
// locks what it decides on (SELECT ... FOR UPDATE), and the leaderboards
// updated in Redis after the commit. Same MariaDB schema, same sessions,
// same board keys as quizd. Not part of the product: scripts/bench_cycle.py
// runs it beside quizd so that the benchmark's "5x a conventional
// implementation" is measured, not quoted.
//
// Configuration from the environment: PORT, DB_SOCKET, DB_USER,
// DB_PASSWORD, DB_NAME, DB_POOL (connections per process, default 32),
// REDIS_PORT, REDIS_PASSWORD. cluster.js runs several of these processes
// on one port (WORKERS).
const crypto = require('node:crypto');
const express = require('express');
const mysql = require('mysql2/promise');
const Redis = require('ioredis');

const env = process.env;
const pool = mysql.createPool({
  socketPath: env.DB_SOCKET,
  user: env.DB_USER,
  password: env.DB_PASSWORD,
  database: env.DB_NAME,
  connectionLimit: Number(env.DB_POOL || 32),
  charset: 'utf8mb4',
  supportBigNumbers: true,
});
const redis = new Redis({ host: '127.0.0.1', port: Number(env.REDIS_PORT), password: env.REDIS_PASSWORD });

const GRACE_S = 10;                 // a submit is taken this long after the deadline
const TIME_BITS = 2 ** 25;          // rules/rank_key.h: score * 2^25 + (2^25 - 1 - offset)
const ROLE_USER = 1;

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const nowS = () => Math.floor(Date.now() / 1000);
const shanghaiDay = (t) => Math.floor((t + 8 * 3600) / 86400);
const iso = (t) => new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 19) + '+08:00';
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');

// ---- sessions: cached in Redis as JSON, MariaDB's sessions table behind ----

async function auth(req, res, next) {
  try {
    const m = /^Bearer (\S{20,128})$/.exec(req.get('authorization') || '');
    if (!m) throw new ApiError(401, 'unauthorized', 'missing or invalid token');
    const hash = sha256(m[1]);
    const now = nowS();
    let s = JSON.parse((await redis.get('node:sess:' + hash)) || 'null');
    if (!s) {
      const [rows] = await pool.execute(
        'SELECT s.user_id, s.roles & u.roles AS roles, s.expires_at FROM sessions s' +
        ' JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?', [hash, now]);
      if (!rows.length) throw new ApiError(401, 'unauthorized', 'missing or invalid token');
      s = { user_id: Number(rows[0].user_id), roles: Number(rows[0].roles), expires_at: Number(rows[0].expires_at) };
      await redis.set('node:sess:' + hash, JSON.stringify(s), 'EX', Math.max(1, Math.min(300, s.expires_at - now)));
    }
    if (s.expires_at <= now || !(s.roles & ROLE_USER)) {
      throw new ApiError(401, 'unauthorized', 'missing or invalid token');
    }
    req.userId = s.user_id;
    next();
  } catch (e) {
    next(e);
  }
}

// ---- one transaction on one pooled connection ----

async function inTransaction(fn) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const out = await fn(conn);
    await conn.commit();
    return out;
  } catch (e) {
    await conn.rollback().catch(() => {});
    throw e;
  } finally {
    conn.release();
  }
}

// Contest settings change rarely: each one is read at most every 5 s.
const contests = new Map();      // id (or 'main') -> [contest, read at]
async function loadContest(conn, id) {
  const hit = contests.get(id == null ? 'main' : id);
  if (hit && Date.now() - hit[1] < 5000) return hit[0];
  const c = await readContest(conn, id);
  contests.set(id == null ? 'main' : id, [c, Date.now()]);
  return c;
}

async function readContest(conn, id) {
  const [rows] = await conn.execute(
    id == null
      ? 'SELECT * FROM contests WHERE is_main = 1 ORDER BY id LIMIT 1'
      : 'SELECT * FROM contests WHERE id = ?', id == null ? [] : [id]);
  if (!rows.length) throw new ApiError(404, 'no_contest', 'no such contest');
  const c = rows[0];
  for (const k of ['id', 'registration_deadline', 'starts_at', 'ends_at', 'points_per_question', 'time_limit_s',
                   'attempts_per_day']) c[k] = Number(c[k]);
  c.paper = JSON.parse(c.paper);
  return c;
}

// ---- POST /attempts ----

function shownQuestion(q, order) {
  const texts = JSON.parse(q.options);
  return {
    id: Number(q.id), type: q.type, stem: q.stem,
    options: [...order].map((bank, i) => ({ key: String.fromCharCode(65 + i), text: texts[bank.charCodeAt(0) - 65] })),
  };
}

function shuffledOrder(n, keep) {
  const letters = Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i));
  if (!keep) {
    for (let i = n - 1; i > 0; i--) {
      const j = crypto.randomInt(i + 1);
      [letters[i], letters[j]] = [letters[j], letters[i]];
    }
  }
  return letters.join('');
}

// The draw: random ids per category in one statement (ids only, so that
// ORDER BY RAND() sorts small rows in memory), then their texts.
async function drawPaper(conn, paper) {
  const parts = [];
  const args = [];
  for (const p of paper) {
    if (p.category === '*') {
      parts.push('(SELECT id FROM questions WHERE active = 1 ORDER BY RAND() LIMIT ?)');
    } else {
      parts.push('(SELECT id FROM questions WHERE active = 1 AND category = ? ORDER BY RAND() LIMIT ?)');
      args.push(p.category);
    }
    args.push(Number(p.count));
  }
  const [ids] = await conn.query(parts.join(' UNION ALL '), args);
  return questionTexts(conn, ids.map((r) => Number(r.id)));
}

// The questions of ids, in that order.
async function questionTexts(conn, ids) {
  const [rows] = await conn.query('SELECT id, type, stem, options FROM questions WHERE id IN (?)', [ids]);
  const byId = new Map(rows.map((q) => [Number(q.id), q]));
  return ids.map((id) => byId.get(id));
}

async function openPaper(conn, attempt) {
  const stored = JSON.parse(attempt.questions);
  const texts = await questionTexts(conn, stored.map((q) => q.id));
  return stored.map((q, i) => shownQuestion(texts[i], q.o));
}

async function start(req, res) {
  const body = req.body || {};
  if (body.contest_id != null && !Number.isSafeInteger(body.contest_id)) {
    throw new ApiError(400, 'invalid_contest_id', 'contest_id must be an integer');
  }
  const now = nowS();
  const out = await inTransaction(async (conn) => {
    // the person's row, locked first: the cap and the single open attempt
    // hold, and the plain reads below (their snapshot starts at the first
    // one) see every start committed before the lock
    const [[u]] = await conn.execute(
      'SELECT u.id, p.kind, p.created_at FROM users u LEFT JOIN profiles p ON p.user_id = u.id' +
      ' WHERE u.id = ? FOR UPDATE', [req.userId]);
    const c = await loadContest(conn, body.contest_id);
    if (now < c.starts_at || now >= c.ends_at) throw new ApiError(403, 'contest_not_open', 'the contest is not open');
    if (!u || u.kind == null) throw new ApiError(403, 'not_registered', 'register first');
    if (c.audience === 'staff' && u.kind !== 'staff') throw new ApiError(403, 'not_in_audience', 'staff only');
    if (Number(u.created_at) > c.registration_deadline) {
      throw new ApiError(403, 'registered_too_late', 'registered after the deadline');
    }
    const [open] = await conn.execute(
      'SELECT id, deadline, questions FROM attempts WHERE contest_id = ? AND user_id = ? AND submitted_at IS NULL' +
      ' AND deadline > ? ORDER BY id DESC LIMIT 1', [c.id, req.userId, now]);
    if (open.length) {
      return { status: 200, id: Number(open[0].id), deadline: Number(open[0].deadline),
               questions: await openPaper(conn, open[0]) };
    }
    const day = shanghaiDay(now);
    const [[{ n }]] = await conn.execute(
      'SELECT COUNT(*) AS n FROM attempts WHERE contest_id = ? AND user_id = ? AND day = ?', [c.id, req.userId, day]);
    if (Number(n) >= c.attempts_per_day) throw new ApiError(403, 'daily_limit_reached', 'no attempts left today');
    const drawn = await drawPaper(conn, c.paper);
    const stored = drawn.map((q) => ({
      id: Number(q.id), o: shuffledOrder(JSON.parse(q.options).length, q.type === 'judge'),
    }));
    const deadline = Math.min(now + c.time_limit_s, c.ends_at);
    const [ins] = await conn.execute(
      'INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions) VALUES (?, ?, ?, ?, ?, ?)',
      [c.id, req.userId, day, now, deadline, JSON.stringify(stored)]);
    return { status: 201, id: Number(ins.insertId), deadline,
             questions: drawn.map((q, i) => shownQuestion(q, stored[i].o)) };
  });
  res.status(out.status).json({ attempt_id: out.id, deadline: iso(out.deadline), server_time: iso(now),
                                questions: out.questions });
}

// ---- POST /attempts/:id/submit ----

// The body's answers as bank letters per question of the paper (sorted),
// or an ApiError 400 invalid_answers.
function bankChoices(body, paper, types) {
  const bad = (why) => new ApiError(400, 'invalid_answers', why);
  if (!body || !Array.isArray(body.answers)) throw bad('answers must be a list');
  const index = new Map(paper.map((q, i) => [q.id, i]));
  const chosen = paper.map(() => '');
  const seen = new Set();
  for (const a of body.answers) {
    if (!a || typeof a !== 'object' || !index.has(a.question_id) || seen.has(a.question_id)) {
      throw bad('an answer names a question not on the paper, or twice');
    }
    seen.add(a.question_id);
    const q = paper[index.get(a.question_id)];
    const c = a.choice;
    if (!Array.isArray(c) || (types.get(q.id) !== 'multiple' && c.length > 1) || new Set(c).size !== c.length) {
      throw bad('a choice is not a list of distinct letters');
    }
    const bank = c.map((l) => {
      const k = typeof l === 'string' && l.length === 1 ? l.charCodeAt(0) - 65 : -1;
      if (k < 0 || k >= q.o.length) throw bad('a choice names a letter that was not shown');
      return q.o[k];
    });
    chosen[index.get(a.question_id)] = bank.sort().join('');
  }
  return chosen;
}

const shownLetters = (order, bank) => [...bank].map((b) => String.fromCharCode(65 + order.indexOf(b))).sort();

// The person's key on the boards, as rules/rank_key.h makes it.
const boardKey = (score, reached, epoch) =>
  score * TIME_BITS + (TIME_BITS - 1 - Math.min(Math.max(reached - epoch, 0), TIME_BITS - 1));

const versions = new Map();     // contest id -> [board version, read at]
async function boardPrefix(contestId) {
  const v = versions.get(contestId);
  if (v && Date.now() - v[1] < 5000) return v[0];
  const ver = await redis.get('{c' + contestId + '}:ver');
  const prefix = ver ? '{c' + contestId + '}:v' + ver + ':' : null;
  versions.set(contestId, [prefix, Date.now()]);
  return prefix;
}

async function submit(req, res) {
  const aid = Number(req.params.id);
  if (!Number.isSafeInteger(aid) || aid <= 0) throw new ApiError(404, 'attempt_not_found', 'no such attempt');
  const now = nowS();
  const out = await inTransaction(async (conn) => {
    const [[a]] = await conn.execute(
      'SELECT id, contest_id, user_id, day, deadline, submitted_at, reply, questions FROM attempts' +
      ' WHERE id = ? FOR UPDATE',
      [aid]);
    if (!a || Number(a.user_id) !== req.userId) throw new ApiError(404, 'attempt_not_found', 'no such attempt');
    if (a.submitted_at != null) return { stored: a.reply };
    if (now > Number(a.deadline) + GRACE_S) throw new ApiError(410, 'attempt_expired', 'the time is up');
    // the person's row, locked as the start locks it: their submits and
    // starts take turns, and the reads of daily_best and contest_scores
    // below see the last commit (no gap locks: two people's first submits
    // must not deadlock on the same gap)
    const [[who]] = await conn.execute(
      'SELECT p.province_code, p.city_code, p.county_code, p.board_unit_id FROM users u' +
      ' JOIN profiles p ON p.user_id = u.id WHERE u.id = ? FOR UPDATE', [req.userId]);
    if (!who) throw new ApiError(404, 'attempt_not_found', 'no such attempt');
    const c = await loadContest(conn, a.contest_id);
    const paper = JSON.parse(a.questions);
    const [qs] = await conn.query('SELECT id, type, answer, explanation FROM questions WHERE id IN (?)',
                                  [paper.map((q) => q.id)]);
    const byId = new Map(qs.map((q) => [Number(q.id), q]));
    const chosen = bankChoices(req.body, paper, new Map(qs.map((q) => [Number(q.id), q.type])));
    let correct = 0;
    const results = paper.map((q, i) => {
      const key = byId.get(q.id).answer;
      const ok = chosen[i] !== '' && chosen[i] === [...key].sort().join('');
      correct += ok ? 1 : 0;
      return { question_id: q.id, correct: ok, choice: shownLetters(q.o, chosen[i]), answer: shownLetters(q.o, key),
               explanation: byId.get(q.id).explanation };
    });
    const score = correct * c.points_per_question;
    const day = Number(a.day);
    const [[db]] = await conn.execute(
      'SELECT score FROM daily_best WHERE contest_id = ? AND user_id = ? AND day = ?', [c.id, req.userId, day]);
    const [[cs]] = await conn.execute(
      'SELECT score, reached_at FROM contest_scores WHERE contest_id = ? AND user_id = ?', [c.id, req.userId]);
    const oldDay = db ? Number(db.score) : -1;
    const newDay = Math.max(oldDay, score);
    const oldScore = cs ? Number(cs.score) : 0;
    const newScore = c.score_rule === 'daily_best_sum'
      ? oldScore - Math.max(oldDay, 0) + newDay : Math.max(oldScore, newDay);
    const reached = !cs || newScore > oldScore ? now : Number(cs.reached_at);
    if (score > oldDay) {
      await conn.execute(
        'INSERT INTO daily_best (contest_id, user_id, day, score, reached_at) VALUES (?, ?, ?, ?, ?)' +
        ' ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at)',
        [c.id, req.userId, day, score, now]);
    }
    await conn.execute(
      'INSERT INTO contest_scores (contest_id, user_id, score, reached_at, attempts_submitted, first_submitted_at)' +
      ' VALUES (?, ?, ?, ?, 1, ?) ON DUPLICATE KEY UPDATE score = VALUES(score), reached_at = VALUES(reached_at),' +
      ' attempts_submitted = attempts_submitted + 1', [c.id, req.userId, newScore, reached, now]);
    // The rank goes into the stored reply (a retry gets the same bytes), so
    // it is read now: everyone above the key this submit will write.
    const prefix = await boardPrefix(c.id);
    const key = boardKey(newScore, reached, c.starts_at);
    const rank = prefix ? 1 + (await redis.zcount(prefix + 'p:n', '(' + key, '+inf')) : null;
    const reply = JSON.stringify({
      attempt_id: aid, contest_id: c.id, score, max_score: paper.length * c.points_per_question,
      correct_count: correct, results: c.review_policy === 'after_submit' ? results : null,
      contest_score: newScore, rank,
    });
    await conn.execute(
      'UPDATE attempts SET submitted_at = ?, score = ?, correct_count = ?, choices = ?, reply = ? WHERE id = ?',
      [now, score, correct, JSON.stringify(chosen), reply, aid]);
    return { reply, board: prefix && { prefix, key, who } };
  });
  if (out.board) await updateBoards(out.board, req.userId);
  if (out.stored == null && !out.reply) throw new ApiError(500, 'internal', 'the first reply was not kept');
  res.status(200).type('application/json; charset=utf-8').send(out.reply || out.stored);
}

// After the commit: the person's key on the national, province, city,
// county and unit boards (the same sorted sets quizd writes).
async function updateBoards(b, userId) {
  const p = b.who;
  const m = redis.multi().zadd(b.prefix + 'p:n', 'GT', b.key, userId);
  if (p.province_code) m.zadd(b.prefix + 'p:p:' + p.province_code, 'GT', b.key, userId);
  if (p.city_code) m.zadd(b.prefix + 'p:c:' + p.city_code, 'GT', b.key, userId);
  if (p.county_code) m.zadd(b.prefix + 'p:x:' + p.county_code, 'GT', b.key, userId);
  if (p.board_unit_id) m.zadd(b.prefix + 'p:u:' + p.board_unit_id, 'GT', b.key, userId);
  await m.exec();
}

// ---- the app ----

const wrap = (fn) => (req, res, next) => fn(req, res).catch(next);
const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '64kb' }));
app.post('/api/v1/attempts', auth, wrap(start));
app.post('/api/v1/attempts/:id/submit', auth, wrap(submit));
app.use((req, res) => res.status(404).json({ error: { code: 'not_found', message: 'no such route' } }));
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  if (err instanceof ApiError) return res.status(err.status).json({ error: { code: err.code, message: err.message } });
  if (err.type === 'entity.parse.failed') {
    return res.status(400).json({ error: { code: 'bad_json', message: 'malformed JSON' } });
  }
  console.error(err);
  return res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
});

const server = app.listen(Number(env.PORT || 8090), '127.0.0.1', () => {
  console.log('node anchor listening on 127.0.0.1:' + server.address().port);
});
server.keepAliveTimeout = 75000;
process.on('SIGTERM', () => server.close(() => Promise.all([pool.end(), redis.quit()]).then(() => process.exit(0))));
