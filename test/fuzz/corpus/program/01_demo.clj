;; demo.clj — a tour of the grove language.  Run it with `make demo`
;; (which runs `build/grove run examples/demo.clj`).
(ns demo
  (:require [clojure.string :as str]))

;; Persistent data and the sequence library
(def text "the quick brown fox jumps over the lazy dog the end")

(defn word-frequencies [s]
  (->> (str/split s #" ")
       (frequencies)
       (sort-by (fn [[w n]] [(- n) w]))
       (take 3)))

(println "Top words:" (word-frequencies text))

;; Destructuring, maps and update-in
(def inventory {:apples {:count 3 :price 0.5}
                :pears  {:count 0 :price 0.75}})

(defn restock [inv fruit n]
  (update-in inv [fruit :count] + n))

(let [{{:keys [count price]} :pears} (restock inventory :pears 4)]
  (println "Pears:" count "at" price))

;; Lazy, infinite sequences
(def fibs (map first (iterate (fn [[a b]] [b (+ a b)]) [0 1])))
(println "First Fibonacci numbers:" (take 12 fibs))

;; Errors are values you can catch, with data
(defn checked-div [a b]
  (if (zero? b)
    (throw (ex-info "Division by zero" {:a a :b b}))
    (quot a b)))

(println "Caught:" (try (checked-div 1 0)
                        (catch clojure.lang.ExceptionInfo e
                          [(ex-message e) (ex-data e)])))

;; Green threads: two endless loops share one scheduler
(def ticks (atom {:left 0 :right 0}))
(def left  (spawn (fn [] (loop [] (swap! ticks update :left inc) (recur)))))
(def right (spawn (fn [] (loop [] (swap! ticks update :right inc) (recur)))))
(sleep 50)
(kill left)
(kill right)
(let [{l :left r :right} @ticks]
  (println "Both loops made progress:" (and (pos? l) (pos? r))))
