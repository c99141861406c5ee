/* The site's search scorer (conf.py: html_search_scorer).
 *
 * Sphinx gives a page the score of the best single word it matches: a page
 * that names "n_jobs" once in a heading ties with the page about n_jobs,
 * and ties are broken by the alphabet. Readers type the names of their
 * library's calls ("cross_val_score n_jobs", "DistributedSampler
 * set_epoch"), and the page whose title holds those words answers them.
 * So each query word found in a result's title (the page's title, and the
 * section's for a section hit) adds to its score: a page titled with all
 * the words comes first. Sphinx's own index and scores are kept.
 */
var Scorer = {
  score: (result) => {
    const [, title, , , score] = result;
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const words = query
      .toLowerCase()
      .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
      .filter((word) => word.length > 2);
    const heading = (title || "").toLowerCase();
    const found = words.filter((word) => heading.includes(word)).length;
    return score + 10 * found;
  },
  // Sphinx's defaults (sphinx/themes/basic/static/searchtools.js).
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
