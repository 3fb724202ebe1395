;; core.clj — the Clojure-source part of clojure.core (the prelude).
;;
;; Embedded in the binary and evaluated form by form in clojure.core at VM
;; creation, after every native is registered.  Startup time is spent
;; here, so it holds only what is best written in Clojure: the macros, and
;; the few helpers they call at expansion time.  Everything that runs hot
;; (atoms, printing, comp/partial, ...) is C (core_misc.c and friends).
;;
;; Bootstrap order matters: at the top only the special forms and the
;; natives exist.  defmacro is first built as a plain fn and flagged with
;; set-macro!, then defn, then everything else.  Templates use let*, fn*
;; and loop* (special in the reader and the analyzer alike), so that what
;; syntax-quote qualifies never depends on which of let/fn/loop is a
;; macro.

(def ^:private sigs
  ;; Parses the tail of a defn/defmacro form: returns [doc attrs arities],
  ;; each arity a list ([params] body...).
  (fn* [decl]
    (let* [doc (if (string? (first decl)) (first decl) nil)
           decl (if doc (next decl) decl)
           attrs (if (map? (first decl)) (first decl) nil)
           decl (if attrs (next decl) decl)
           trailing (if (vector? (first decl)) nil
                        (if (map? (last decl)) (last decl) nil))
           arities (if (vector? (first decl))
                     (list decl)
                     (if trailing (butlast decl) decl))]
      (if (seq arities) nil
          (throw (exception* "IllegalArgumentException"
                             "Parameter declaration missing")))
      ;; each arity as a real list: the analyzer wants lists, and rest
      ;; args or butlast give other kinds of seqs
      [doc (if trailing (conj (if attrs attrs {}) trailing) attrs)
       (map (fn* [a] (if (seq? a) (apply list a) a)) arities)])))

(def ^:private def-name
  ;; NAME with ATTRS merged into its metadata, plus :arglists and EXTRA.
  ;; grove's def does not evaluate the name's metadata, so the arglists
  ;; go in unquoted.
  (fn* [name attrs arities extra]
    (with-meta name
      (conj (conj (conj (if (meta name) (meta name) {}) (if attrs attrs {}))
                  {:arglists (map first arities)})
            extra))))

(def defmacro
  (fn* [&form &env name & decl]
    (let* [[doc attrs arities] (sigs decl)
           name (def-name name attrs arities {:macro true})
           arities (map (fn* [a]
                          (if (vector? (first a))
                            (cons (apply vector '&form '&env (first a)) (next a))
                            (throw (exception* "IllegalArgumentException"
                                               (str "Parameter declaration "
                                                    (first a)
                                                    " should be a vector")))))
                        arities)]
      ;; def flags the var as a macro from the :macro metadata
      (if doc
        (list 'def name doc (cons 'fn* arities))
        (list 'def name (cons 'fn* arities))))))
(set-macro! (var defmacro))

(defmacro defn
  "Same as (def name (fn [params*] exprs*)) or (def name (fn ([params*]
  exprs*)+)) with any doc-string or attrs added to the var metadata."
  [name & decl]
  (let* [[doc attrs arities] (sigs decl)
         _ (if (every? (fn* [a] (vector? (first a))) arities) nil
               (throw (exception* "IllegalArgumentException"
                                  (str "Parameter declaration "
                                       (first (first (remove (fn* [a] (vector? (first a)))
                                                             arities)))
                                       " should be a vector"))))]
    (if doc
      (list 'def (def-name name attrs arities nil) doc (cons 'fn* arities))
      (list 'def (def-name name attrs arities nil) (cons 'fn* arities)))))

(defmacro defn-
  "Same as defn, yielding a non-public def."
  [name & decl]
  (list* `defn (vary-meta name assoc :private true) decl))

;; let, loop, fn and letfn are special forms in grove (with destructuring);
;; as macros here they make syntax-quote qualify them as clojure.core/let
;; etc., as Clojure does, and macroexpand shows the starred form.

(defmacro let
  "binding => binding-form init-expr. Evaluates the exprs in a lexical
  context in which the symbols in the binding-forms are bound to their
  respective init-exprs or parts therein."
  [bindings & body]
  (list* 'let* bindings body))

(defmacro loop
  "Evaluates the exprs in a lexical context in which the symbols in the
  binding-forms are bound to their respective init-exprs or parts therein.
  Acts as a recur target."
  [bindings & body]
  (list* 'loop* bindings body))

(defmacro fn
  "params => positional-params*, or positional-params* & rest-param.
  Defines a function."
  [& sigs]
  (cons 'fn* sigs))

(defmacro letfn
  "fnspec ==> (fname [params*] exprs) or (fname ([params*] exprs)+). Takes a
  vector of function specs and a body, and generates a set of bindings of
  functions to their names."
  [fnspecs & body]
  (list* 'letfn* fnspecs body))

;; ---- Conditionals --------------------------------------------------------

(defmacro when
  "Evaluates test. If logical true, evaluates body in an implicit do."
  [test & body]
  (list 'if test (cons 'do body)))

(defmacro when-not
  "Evaluates test. If logical false, evaluates body in an implicit do."
  [test & body]
  (list 'if test nil (cons 'do body)))

(defmacro if-not
  "Evaluates test. If logical false, evaluates and returns then expr,
  otherwise else expr, if supplied, else nil."
  ([test then] (list 'if test nil then))
  ([test then else] (list 'if test else then)))

(defmacro and
  "Evaluates exprs one at a time, from left to right, stopping at the
  first logical false value."
  ([] true)
  ([x] x)
  ([x & next] `(let* [and# ~x] (if and# (and ~@next) and#))))

(defmacro or
  "Evaluates exprs one at a time, from left to right, returning the first
  logical true value."
  ([] nil)
  ([x] x)
  ([x & next] `(let* [or# ~x] (if or# or# (or ~@next)))))

(defmacro cond
  "Takes a set of test/expr pairs and evaluates the expr of the first test
  that is logical true."
  [& clauses]
  (when clauses
    (list 'if (first clauses)
          (if (next clauses)
            (second clauses)
            (throw (exception* "IllegalArgumentException"
                               "cond requires an even number of forms")))
          (cons `cond (next (next clauses))))))

(defn- check-binding [form bindings]
  (when-not (vector? bindings)
    (throw (exception* "IllegalArgumentException"
                       (str (name (first form)) " requires a vector for its binding"))))
  (when-not (= 2 (count bindings))
    (throw (exception* "IllegalArgumentException"
                       (str (name (first form))
                            " requires exactly 2 forms in binding vector")))))

(defmacro if-let
  "bindings => binding-form test. If test is true, evaluates then with
  binding-form bound to the value of test, if not, yields else."
  ([bindings then] `(if-let ~bindings ~then nil))
  ([bindings then else]
   (check-binding &form bindings)
   `(let* [temp# ~(bindings 1)]
      (if temp# (let* [~(bindings 0) temp#] ~then) ~else))))

(defmacro when-let
  "bindings => binding-form test. When test is true, evaluates body with
  binding-form bound to the value of test."
  [bindings & body]
  (check-binding &form bindings)
  `(let* [temp# ~(bindings 1)]
     (when temp# (let* [~(bindings 0) temp#] ~@body))))

(defmacro if-some
  "bindings => binding-form test. If test is not nil, evaluates then with
  binding-form bound to the value of test, if not, yields else."
  ([bindings then] `(if-some ~bindings ~then nil))
  ([bindings then else]
   (check-binding &form bindings)
   `(let* [temp# ~(bindings 1)]
      (if (nil? temp#) ~else (let* [~(bindings 0) temp#] ~then)))))

(defmacro when-some
  "bindings => binding-form test. When test is not nil, evaluates body
  with binding-form bound to the value of test."
  [bindings & body]
  (check-binding &form bindings)
  `(let* [temp# ~(bindings 1)]
     (if (nil? temp#) nil (let* [~(bindings 0) temp#] ~@body))))

(defmacro when-first
  "bindings => x xs. Roughly the same as (when (seq xs) (let [x (first
  xs)] body)) but xs is evaluated only once."
  [bindings & body]
  (check-binding &form bindings)
  `(let* [xs# (seq ~(bindings 1))]
     (when xs# (let* [~(bindings 0) (first xs#)] ~@body))))

(defn- no-match [g]
  `(throw (exception* "IllegalArgumentException" (str "No matching clause: " ~g))))

(defmacro condp
  "Takes a binary predicate, an expression, and a set of clauses: test-expr
  result-expr, or test-expr :>> result-fn, and an optional default."
  [pred expr & clauses]
  (let* [gp (gensym "pred__") ge (gensym "expr__")
         emit (fn* emit [args]
                (let* [n (count args)]
                  (cond
                    (= 0 n) (no-match ge)
                    (= 1 n) (first args)
                    (= :>> (second args))
                    `(let* [p# (~gp ~(first args) ~ge)]
                       (if p# (~(first (next (next args))) p#)
                           ~(emit (next (next (next args))))))
                    :else
                    `(if (~gp ~(first args) ~ge)
                       ~(second args)
                       ~(emit (next (next args)))))))]
    `(let* [~gp ~pred ~ge ~expr] ~(emit clauses))))

(defmacro case
  "Takes an expression and a set of clauses: test-constant result-expr, or
  (test-constant1 ... test-constantN) result-expr, and an optional
  default. The test-constants are not evaluated."
  [e & clauses]
  (let* [g (gensym "case__") gi (gensym "idx__")
         default (if (odd? (count clauses)) (last clauses) (no-match g))]
    (loop* [cs (seq clauses) table {} results []]
      (if (next cs)
        (let* [i (count results)
               test (first cs)
               table (loop* [ts (if (seq? test) (seq test) (list test)) t table]
                       (if ts
                         (if (contains? t (first ts))
                           (throw (exception* "IllegalArgumentException"
                                              (str "Duplicate case test constant: "
                                                   (first ts))))
                           (recur (next ts) (assoc t (first ts) i)))
                         t))]
          (recur (next (next cs)) table (conj results (second cs))))
        (let* [build (fn* build [lo hi]
                       (if (= 1 (- hi lo))
                         (nth results lo)
                         (let* [mid (quot (+ lo hi) 2)]
                           `(if (< ~gi ~mid) ~(build lo mid) ~(build mid hi)))))]
          (if (= 0 (count results))
            `(let* [~g ~e] ~default)
            `(let* [~g ~e ~gi (get '~table ~g)]
               (if (nil? ~gi) ~default ~(build 0 (count results))))))))))

;; ---- Threading -----------------------------------------------------------

(defmacro ->
  "Threads the expr through the forms, inserting x as the second item of
  each form.  Each new form keeps the source position of the one it
  replaces (as Clojure keeps its metadata); ?> reports it."
  [x & forms]
  (loop* [x x forms forms]
    (if forms
      (let* [f (first forms)]
        (recur (if (seq? f) (with-pos* `(~(first f) ~x ~@(next f)) f) (list f x))
               (next forms)))
      x)))

(defmacro ->>
  "Threads the expr through the forms, inserting x as the last item of
  each form."
  [x & forms]
  (loop* [x x forms forms]
    (if forms
      (let* [f (first forms)]
        (recur (if (seq? f) (with-pos* `(~@f ~x) f) (list f x)) (next forms)))
      x)))

(defn- thread-steps [g expr steps]
  ;; (let* [g expr g step1 ... ] last-step) for the some-> family
  (loop* [bs [g expr] steps (seq steps)]
    (if (next steps)
      (recur (conj bs g (first steps)) (next steps))
      `(let* ~bs ~(if steps (first steps) g)))))

(defmacro some->
  "When expr is not nil, threads it into the first form (via ->), and when
  that result is not nil, through the next etc."
  [expr & forms]
  (let* [g (gensym)]
    (thread-steps g expr (map (fn* [f] `(if (nil? ~g) nil (-> ~g ~f))) forms))))

(defmacro some->>
  "When expr is not nil, threads it into the first form (via ->>), and
  when that result is not nil, through the next etc."
  [expr & forms]
  (let* [g (gensym)]
    (thread-steps g expr (map (fn* [f] `(if (nil? ~g) nil (->> ~g ~f))) forms))))

(defn- cond-thread [arrow expr clauses]
  (when (odd? (count clauses))
    (throw (exception* "IllegalArgumentException"
                       "Assert failed: (even? (count clauses))")))
  (let* [g (gensym)]
    (loop* [cs (seq clauses) bs [g expr]]
      (if cs
        (recur (next (next cs))
               (conj bs g `(if ~(first cs) (~arrow ~g ~(second cs)) ~g)))
        `(let* ~bs ~g)))))

(defmacro cond->
  "Threads expr through each form (via ->) for which the corresponding
  test expression is true."
  [expr & clauses]
  (cond-thread `-> expr clauses))

(defmacro cond->>
  "Threads expr through each form (via ->>) for which the corresponding
  test expression is true."
  [expr & clauses]
  (cond-thread `->> expr clauses))

(defmacro as->
  "Binds name to expr, evaluates the first form in the lexical context of
  that binding, then binds name to that result, repeating for each
  successive form, returning the result of the last form."
  [expr name & forms]
  (thread-steps name expr forms))

;; ---- Loops and comprehensions --------------------------------------------

(defmacro while
  "Repeatedly executes body while test expression is true."
  [test & body]
  `(loop* [] (when ~test ~@body (recur))))

(defmacro dotimes
  "bindings => name n. Repeatedly executes body with name bound to
  integers from 0 through n-1."
  [bindings & body]
  (check-binding &form bindings)
  (let* [i (bindings 0)]
    `(let* [n# (long ~(bindings 1))]
       (loop* [~i 0]
         (when (< ~i n#) ~@body (recur (inc ~i)))))))

(defn- binding-groups [form seq-exprs]
  ;; [x xs :when c y ys] => [[x xs [:when c]] [y ys []]]
  (when-not (vector? seq-exprs)
    (throw (exception* "IllegalArgumentException"
                       (str (name (first form)) " requires a vector for its binding"))))
  (when (odd? (count seq-exprs))
    (throw (exception* "IllegalArgumentException"
                       (str (name (first form))
                            " requires an even number of forms in binding vector"))))
  (loop* [xs (seq seq-exprs) groups []]
    (if xs
      (let* [k (first xs) v (second xs)]
        (if (keyword? k)
          (if (= 0 (count groups))
            (throw (exception* "IllegalArgumentException"
                               (str "Invalid '" (name (first form)) "' keyword without binding: " k)))
            (let* [i (dec (count groups)) g (groups i)]
              (recur (next (next xs))
                     (assoc groups i (assoc g 2 (conj (g 2) k v))))))
          (recur (next (next xs)) (conj groups [k v []]))))
      groups)))

(defn- with-mods
  ;; Wraps BODY in a level's modifiers; SKIP is the form that moves on to
  ;; the next element of the level (a recur).
  [mods body skip]
  (loop* [ms (seq (reverse (partition 2 mods))) body body]
    (if ms
      (let* [[k v] (first ms)]
        (recur (next ms)
               (cond
                 (= k :let) `(let* ~v ~body)
                 (= k :when) `(if ~v ~body ~skip)
                 (= k :while) `(if ~v ~body nil)
                 :else (throw (exception* "IllegalArgumentException"
                                          (str "Invalid binding modifier: " k))))))
      body)))

(defmacro doseq
  "Repeatedly executes body (presumably for side-effects) with bindings and
  filtering as provided by \"for\". Returns nil."
  [seq-exprs & body]
  (loop* [gs (reverse (binding-groups &form seq-exprs)) inner `(do ~@body)]
    (if gs
      (let* [[b e mods] (first gs)
             s (gensym "seq__")
             skip `(recur (next ~s))]
        (recur (next gs)
               `(loop* [~s (seq ~e)]
                  (if ~s
                    (let* [~b (first ~s)]
                      ~(with-mods mods `(do ~inner ~skip) skip))
                    nil))))
      inner)))

(defmacro for
  "List comprehension. Takes a vector of one or more binding-form/
  collection-expr pairs, each followed by zero or more modifiers (:let,
  :when, :while), and yields a lazy sequence of evaluations of expr."
  [seq-exprs body-expr]
  (let* [groups (binding-groups &form seq-exprs)
         level (fn* level [gs]
                 (let* [[b e mods] (first gs)
                        it (gensym "iter__") s (gensym "s__")
                        skip `(recur (rest ~s))
                        body (if (next gs)
                               (let* [fs (gensym "fs__")]
                                 `(let* [~fs (seq (~(level (next gs)) ~(second (second gs))))]
                                    (if ~fs (concat ~fs (~it (rest ~s))) ~skip)))
                               `(cons ~body-expr (~it (rest ~s))))]
                   `(fn* ~it [~s]
                      (lazy-seq
                        (loop* [~s ~s]
                          (let* [~s (seq ~s)]
                            (if ~s
                              (let* [~b (first ~s)] ~(with-mods mods body skip))
                              nil)))))))]
    `(~(level groups) ~((first groups) 1))))

;; ---- Definitions ---------------------------------------------------------

(defmacro comment "Ignores body, yields nil." [& body] nil)

(defmacro declare
  "defs the supplied var names with no bindings, useful for making forward
  declarations."
  [& names]
  (cons 'do (map (fn* [n] (list 'def (vary-meta n assoc :declared true))) names)))

(defmacro defonce
  "defs name to have the root value of the expr iff the named var has no
  root value, else expr is unevaluated."
  [name expr]
  `(let* [v# (intern *ns* '~(with-meta name nil))]
     (when-not (bound? v#) (def ~name ~expr))))

(defmacro assert
  "Evaluates expr and throws an exception if it does not evaluate to
  logical true."
  ([x]
   (when *assert*
     `(when-not ~x
        (throw (exception* "AssertionError" (str "Assert failed: " (pr-str '~x)))))))
  ([x message]
   (when *assert*
     `(when-not ~x
        (throw (exception* "AssertionError"
                           (str "Assert failed: " ~message "\n" (pr-str '~x))))))))

;; ---- Dynamic scope, laziness, state --------------------------------------

(defmacro binding
  "binding => var-symbol init-expr. Creates new bindings for the
  (already-existing) vars, with the supplied initial values, executes the
  exprs in an implicit do, then re-establishes the bindings that existed
  before."
  [bindings & body]
  (when-not (vector? bindings)
    (throw (exception* "IllegalArgumentException"
                       "binding requires a vector for its binding")))
  (when (odd? (count bindings))
    (throw (exception* "IllegalArgumentException"
                       "binding requires an even number of forms in binding vector")))
  (loop* [bs (seq bindings) acc []]
    (if bs
      (recur (next (next bs)) (conj acc (list 'var (first bs)) (second bs)))
      `(with-bindings* (hash-map ~@acc) (fn* [] ~@body)))))

(defmacro with-out-str
  "Evaluates exprs in a context in which *out* is bound to a fresh buffer.
  Returns the string created by any nested printing calls."
  [& body]
  `(with-out-str* (fn* [] ~@body)))

(defmacro lazy-seq
  "Takes a body of expressions that returns an ISeq or nil, and yields a
  Seqable object that will invoke the body only the first time seq is
  called, and will cache the result."
  [& body]
  `(lazy-seq* (fn* [] ~@body)))

(defmacro lazy-cat
  "Expands to code which yields a lazy sequence of the concatenation of
  the supplied colls. Each coll expr is not evaluated until it is needed."
  [& colls]
  `(concat ~@(map (fn* [c] `(lazy-seq ~c)) colls)))

(defmacro delay
  "Takes a body of expressions and yields a Delay object that will invoke
  the body only the first time it is forced (with force or deref/@), and
  will cache the result and return it on all subsequent force calls."
  [& body]
  `(delay* (fn* [] ~@body)))

(defmacro vswap!
  "Non-atomically swaps the value of the volatile as if: (apply f
  current-value-of-vol args). Returns the value that was swapped in."
  [vol f & args]
  `(let* [v# ~vol] (vreset! v# (~f (deref v#) ~@args))))

(defmacro with-bindings
  "Takes a map of Var/value pairs. Installs for the given Vars the
  associated values as thread-local bindings. Then executes body."
  [binding-map & body]
  `(with-bindings* ~binding-map (fn* [] ~@body)))

(defmacro bound-fn
  "Returns a function defined by the given fntail, which will install the
  same bindings in effect as in the thread at the time bound-fn was
  called."
  [& fntail]
  `(bound-fn* (fn* ~@fntail)))

(defmacro with-redefs
  "binding => var-symbol temp-value-expr. Temporarily redefines Vars (their
  roots, visible to every process) while executing the body."
  [bindings & body]
  (loop* [bs (seq bindings) acc []]
    (if bs
      (recur (next (next bs)) (conj acc (list 'var (first bs)) (second bs)))
      `(with-redefs-fn (hash-map ~@acc) (fn* [] ~@body)))))

(defmacro io!
  "Executes body (grove has no transactions, so this is a plain do)."
  [& body]
  `(do ~@body))

;; ---- Namespaces ----------------------------------------------------------

(defmacro refer-clojure
  "Same as (refer 'clojure.core <filters>)"
  [& filters]
  `(refer '~'clojure.core ~@(map (fn* [f] (list 'quote f)) filters)))

(defmacro ns
  "Sets *ns* to the namespace named by name (unevaluated), creating it if
  needed. references: (:refer-clojure ...) (:require ...) (:use ...)
  (:import ...) (:load ...) (:gen-class)."
  [name & references]
  (let* [refs (if (string? (first references)) (next references) references)
         refs (if (map? (first refs)) (next refs) refs)
         quoted (fn* [xs] (map (fn* [x] (list 'quote x)) xs))
         clause (fn* [[kind & args]]
                  (case kind
                    :require `(require ~@(quoted args))
                    :use `(use ~@(quoted args))
                    :refer-clojure `(refer '~'clojure.core ~@(quoted args))
                    (:import :load :gen-class :require-macros) nil
                    (throw (exception* "IllegalArgumentException"
                                       (str "Unsupported ns clause: " kind)))))]
    `(do (in-ns '~name)
         ~@(when-not (some (fn* [r] (= :refer-clojure (first r))) refs)
             `((refer '~'clojure.core)))
         ~@(remove nil? (map clause refs))
         nil)))

;; ---- Small library functions ---------------------------------------------

(defn comparator
  "Returns an implementation of java.util.Comparator based upon pred."
  [pred]
  (fn [x y] (cond (pred x y) -1 (pred y x) 1 :else 0)))

(defn distinct?
  "Returns true if no two of the arguments are ="
  ([x] true)
  ([x y] (not= x y))
  ([x y & more]
   (if (not= x y)
     (loop [s #{x y} xs more]
       (if xs
         (if (contains? s (first xs)) false (recur (conj s (first xs)) (next xs)))
         true))
     false)))

(defn bounded-count
  "If coll is counted? returns its count, else will count at most the first
  n elements of coll using its seq"
  [n coll]
  (if (counted? coll)
    (count coll)
    (loop [i 0 s (seq coll)]
      (if (and s (< i n)) (recur (inc i) (next s)) i))))

(defn rseq
  "Returns, in constant time, a seq of the items in rev (which can be a
  vector), in reverse order. If rev is empty returns nil"
  [rev]
  (when (seq rev) (reverse rev)))

(defn update-vals
  "m f => {k (f v) ...} Given a map m and a function f of 1-argument,
  returns a new map where the keys of m are mapped to result of applying f
  to the corresponding values of m."
  [m f]
  (with-meta (reduce-kv (fn [acc k v] (assoc acc k (f v))) m m) (meta m)))

(defn update-keys
  "m f => {(f k) v ...} Given a map m and a function f of 1-argument,
  returns a new map whose keys are the result of applying f to the keys of
  m, mapped to the corresponding values of m."
  [m f]
  (with-meta (reduce-kv (fn [acc k v] (assoc acc (f k) v)) {} m) (meta m)))

(defn replace
  "Given a map of replacement pairs and a vector/collection, returns a
  vector/seq with any elements = a key in smap replaced with the
  corresponding val in smap."
  [smap coll]
  (if (vector? coll)
    (reduce (fn [v i] (if-let [e (find smap (nth v i))] (assoc v i (val e)) v))
            coll (range (count coll)))
    (map (fn [x] (if-let [e (find smap x)] (val e) x)) coll)))

;; ---- Nodes: the live-programming additions (docs/NODES.md) ---------------
;;
;; These work in every VM.  A node (runtime/node.c) sets the roots of
;; *node-context* and *node-caps* and replaces ?report* with its own, which
;; coalesces the values and sends them to the editors; without a node,
;; ?report* prints "? LINE:COL => VALUE" on stderr.

(def !
  "The live marker.  A top-level ! before a form makes the editor deploy
  that form to the nodes; evaluated on its own it is nil."
  nil)

(def ^:dynamic *node-context*
  "The context of the node running this code: {:node :ID, :session \"S\"}
  merged with the node's --context map and what with-context attached.
  {} outside a node."
  {})

(def ^:dynamic *node-filters*
  "The selectors of the (context SELECTOR ...) forms being evaluated."
  nil)

(def ^:dynamic *node-site*
  "[space form-id line col] of the form a node is deploying, bound while
  it evaluates that form; ? records it when it is expanded."
  nil)

(def *node-caps*
  "The capability map the node offers ({} outside a node)."
  {})

(defn node-match?
  "True when SELECTOR matches the context map CTX: a keyword is a node id,
  a set holds node ids, a map must agree with CTX on every key (a set as
  a value means CTX's value is one of its elements), a function is called
  with CTX."
  [selector ctx]
  (cond (keyword? selector) (= selector (get ctx :node))
        (set? selector) (contains? selector (get ctx :node))
        (map? selector) (every? (fn [e]
                                  (let [v (val e) c (get ctx (key e))]
                                    (if (set? v) (contains? v c) (= v c))))
                                selector)
        (fn? selector) (boolean (selector ctx))
        :else (throw (exception* "IllegalArgumentException"
                                 (str "A node selector is a keyword, a set, a map or a function, not: "
                                      (pr-str selector))))))

(defmacro node
  "(node SELECTOR body...) evaluates body only on the nodes SELECTOR
  matches (see node-match?), else returns nil.  (node SELECTOR [binding]
  body...) also binds the capability map to binding, e.g.
  (node :alpha [{:keys [log timer]}] ...)."
  [selector & body]
  (let* [b (first body)]
    (if (and (vector? b) (= 1 (count b)) (next body))
      `(when (node-match? ~selector *node-context*)
         (let [~(first b) *node-caps*] ~@(next body)))
      `(when (node-match? ~selector *node-context*) ~@body))))

(defmacro with-context
  "Merges map M into the node context (*node-context*) for the dynamic
  extent of body: values reported by ? inside carry it."
  [m & body]
  `(binding [*node-context* (merge *node-context* ~m)] ~@body))

(defmacro context
  "? forms evaluated during body (dynamically, not lexically) report only
  when the node context matches SELECTOR.  Body runs everywhere."
  [selector & body]
  `(binding [*node-filters* (conj *node-filters* ~selector)] ~@body))

(defn- query-site
  ;; What a ? form reports besides its value, fixed when it is expanded:
  ;; [query-id-or-nil line col space form-id form-line form-col offset],
  ;; OFFSET: bytes from the start of the form's text to the ?.
  [form id]
  (let* [[line col off] (or (form-pos* form) [0 0 0])
         [space fid fline fcol] *node-site*]
    [(when (keyword? id) (subs (str id) 1)) line col space fid (or fline 0) (or fcol 0) off]))

(defmacro ?
  "(? expr) or (? :id expr): evaluates expr, reports its value to the
  editors (on a node) and returns it unchanged.  Anything after expr is
  ignored."
  [& args]
  (let* [id (when (and (keyword? (first args)) (next args)) (first args))
         expr (if id (second args) (first args))]
    `(?report* '~(query-site &form id) ~expr)))

(defmacro ?>
  "? for ->: (-> x (?>) f) or (-> x (?> :id) f) reports x and returns it."
  [x & more]
  `(?report* '~(query-site &form (first more)) ~x))

(defmacro ?>>
  "? for ->>: (->> xs (?>>) f) or (->> xs (?>> :id) f) reports xs and
  returns it."
  [& args]
  `(?report* '~(query-site &form (when (next args) (first args))) ~(last args)))
