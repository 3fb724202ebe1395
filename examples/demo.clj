;; demo.clj -- your first grove program.  `make demo' opens it in Emacs.
;;
;; This buffer is live.  Next to Emacs run a broker and two nodes, :alpha
;; (context {:region :us}) and :beta ({:region :eu}); Emacs is a node too,
;; :editor.  A top-level form with a `!' in front is deployed to the nodes
;; as you type.  (? ...) reports the value of what it wraps, and Emacs
;; writes what every node saw into the form, behind #_ (which the reader
;; skips):   !(? (+ 1 2) #_{:alpha 3, :beta 3})
;;
;; Things to try (the commands are under C-c ; and in the Grove menu):
;;   - change 7 to 8 in the first `?' below: both values follow;
;;   - edit `square', e.g. (* x x x): every form using it updates;
;;   - watch :tick count on :alpha; change 1000 to 200 to speed it up,
;;     put #_ in front of its `!' to stop it, remove the #_ to restart it;
;;   - C-c ; h on a `?' lists its history (n/p step, the value follows);
;;   - C-c ; v shows the full value and the context of each node;
;;   - C-c ; e evaluates the form at point on a node you pick;
;;   - write (/ 1 0) in a live form: the error shows at the form,
;;     C-c ; ! shows its stack trace;
;;   - println output goes to *grove-output* (below), tagged by node;
;;   - C-c ; n lists the nodes.  C-x C-c quits and stops them all.

(ns demo)

(defn square [x] (* x x))

;; Live on every node: one value per node.
!(? :square (square 7))

;; Each node answers with its own name.
!(? :who (:node *node-context*))

;; A process on :alpha only: it keeps ticking while you edit the rest.
!(node :alpha
   {:ticker (fn [_]
              (loop [i 0]
                (? :tick i)
                (when (zero? (mod i 10))
                  (println "tick" i))
                (sleep 1000)
                (recur (inc i))))})

;; with-context attaches data to the values reported inside it
;; (C-c ; v on the `?' shows the context each value carries).
(defn handle [order]
  (with-context {:order (:id order)}
    (? :total (* (:qty order) (:price order)))))

!(handle {:id 42, :qty 3, :price 5})

;; context filters what is reported: only nodes in region :eu answer.
!(context {:region :eu}
   (? :eu-only (square 3)))

;; Forms placed on :editor run inside Emacs.
!(node :editor (? :in-emacs (str "hello from " (:node *node-context*))))
