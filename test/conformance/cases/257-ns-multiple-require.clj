(ns demo.multi
  "A namespace with a docstring."
  (:require [clojure.string :as s]))
(def ^:private secret 42)
(defn reveal [] secret)
(prn (reveal))
(prn (s/join "-" (map s/upper-case ["a" "b"])))
(prn ::tag)
(let [{::keys [tag]} {::tag :found}] (prn tag))
(defn bad [x] x)
(prn (try (bad) (catch Exception e (ex-message e))))
