/* seed_demo.h: `quizd seed-demo`, the local stack's demo data.
 *
 * Loads the sample bank (schema/seed/questions.csv), moves the two seeded
 * contests so that they are open now with registration still open, and adds
 * a few demo units (names end in （演示）) and registered demo people with
 * scores, so that a newcomer sees non-empty boards and can go through the
 * whole path at once. Running it again changes nothing that is still
 * right: units and people are keyed by credit code and openid, scores are
 * added only to demo people who have none, contests move only when they
 * are not open now. Never run it against production data. */
#ifndef SEED_DEMO_H
#define SEED_DEMO_H

int cmd_seed_demo(int argc, char **argv);

#endif
