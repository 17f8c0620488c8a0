/*
 * harness_selftest.c - native/harness.h checks itself: turn-taking orders the steps of threads
 * and of forked processes, and same_page tells shared from private pages.
 *
 *   thread A: step 0, 2, 4      thread B: step 1, 3, 5      -> log "ABABAB"
 *   parent:   step 0, 2         child:    step 1, 3         -> log "PCPC" (in MAP_SHARED memory)
 */
#include "harness.h"

#include <pthread.h>
#include <sys/wait.h>

struct log {
	struct turn t;
	char text[16];
};

static struct log *lg;

static void take_turns(char who, uint32_t first, uint32_t last)
{
	for (uint32_t step = first; step <= last; step += 2) {
		turn_wait(&lg->t, step);
		lg->text[step] = who;
		turn_set(&lg->t, step + 1);
	}
}

static void *thread_b(void *arg)
{
	(void)arg;
	take_turns('B', 1, 5);
	return NULL;
}

int main(void)
{
	pthread_t b;

	lg = (struct log *)turn_new();
	tap_plan(4);
	pthread_create(&b, NULL, thread_b, NULL);
	take_turns('A', 0, 4);
	pthread_join(b, NULL);
	tap_ok(!strcmp(lg->text, "ABABAB"), "threads take turns in order (%s)", lg->text);

	memset(lg->text, 0, sizeof(lg->text));
	turn_set(&lg->t, 0);
	pid_t pid = fork();
	if (pid == 0) {
		take_turns('C', 1, 3);
		_exit(0);
	}
	take_turns('P', 0, 2);
	turn_wait(&lg->t, 4);
	tap_ok(!strcmp(lg->text, "PCPC"), "processes take turns in order (%s)", lg->text);

	/* lg is MAP_SHARED: the same page in both; a private page written by the child is not. */
	char *priv = anon_aligned(PAGE_4K, PAGE_4K);
	priv[0] = 1;
	struct turn *t2 = turn_new();
	pid = fork();
	if (pid == 0) {
		priv[0] = 2;
		/* fork copies no PTEs of a MAP_SHARED mapping: the child faults it in on first use */
		(void)*(volatile char *)lg->text;
		turn_set(t2, 1);
		turn_wait(t2, 2);
		_exit(0);
	}
	turn_wait(t2, 1);
	int shared = same_page(0, lg, pid, lg), private = same_page(0, priv, pid, priv);
	turn_set(t2, 2);
	waitpid(pid, NULL, 0);
	tap_ok(shared == 1 || shared == -1, "a MAP_SHARED page is the same page in both (%d)", shared);
	tap_ok(private == 0 || private == -1, "a page the child wrote is not (%d)", private);
	json_begin();
	json_bool("pfns_visible", shared != -1);
	json_end();
	return tap_done();
}
