;; demo.clj -- your first grove program.  It is live: beside Emacs run a
;; broker and two nodes, :alpha {:region :us} and :beta {:region :eu},
;; and Emacs is a node too (:editor).  A top-level form with a `!' in
;; front runs on the nodes as you type; (? ...) reports what it wraps,
;; and the value from each node is written into the form behind #_.
;; Commands: C-c ; (or the Grove menu).  C-x C-c stops everything.

(ns demo)

(defn square [x] (* x x))

;; Try: change 7 to 8, or edit `square' above -- the values follow.
!(? :square (square 7))

;; Every node answers with its own name.
!(? :who (:node *node-context*))

;; A process on :alpha: it ticks while you edit the rest of the file.
;; Try: 1000 -> 200 to speed it up; put #_ before its `!' to stop it.
;; Its println output is in *grove-output* below, tagged [alpha].
!(node :alpha
   {:ticker (fn [_]
              (loop [i 0]
                (? :tick i)
                (when (zero? (mod i 10))
                  (println "tick" i))
                (sleep 1000)
                (recur (inc i))))})

;; with-context attaches data to the values reported inside it.
;; Try: C-c ; v on the `?' below shows each value with its context.
(defn handle [order]
  (with-context {:order (:id order)}
    (? :total (* (:qty order) (:price order)))))

!(handle {:id 42, :qty 3, :price 5})

;; context filters who reports: only nodes in region :eu answer here.
!(context {:region :eu}
   (? :eu-only (square 3)))

;; Forms placed on :editor run inside Emacs.
!(node :editor (? :in-emacs (str "hello from " (:node *node-context*))))

;; More to try:
;;   C-c ; h  history of the `?' at point (n/p step, the value follows)
;;   C-c ; e  evaluate the form at point on a node you choose
;;   C-c ; n  the nodes and their contexts
;;   write (/ 1 0) in a live form: the error shows there; C-c ; ! traces it
;;   !(node :editor (loop [] (recur))) runs away on Emacs's node: C-g stops it
